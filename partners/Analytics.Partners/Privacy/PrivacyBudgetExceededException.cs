namespace Analytics.Partners.Privacy;

/// <summary>A DP report would take the partner past its privacy budget for the window; nothing was generated.</summary>
public sealed class PrivacyBudgetExceededException(string message) : Exception(message);
