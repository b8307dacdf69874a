namespace Analytics.Host.Cli;

/// <summary>Settings failed their checks before the host started; <see cref="CliHost.ConfigurationIsValid"/> has printed which (exit 2).</summary>
public sealed class InvalidSettingsException() : Exception("the configuration is not valid");
