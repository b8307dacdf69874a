using System.CommandLine;
using Analytics.Analysts.Insights;
using Analytics.Analysts.Query;

namespace Analytics.Host.Cli;

/// <summary>
/// `analytics goal`: add, list and remove a site's goals (the same file the API's admin keys write). Works
/// while the host runs: the host re-reads the file on change.
/// </summary>
public static class GoalCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data folder, as given to `analytics run` (default: data)", DefaultValueFactory = _ => "data" };
        var site = new Option<string>("--site") { Description = "The site", Required = true };
        var name = new Option<string>("--name") { Description = "The goal's name, as shown and as filtered by", Required = true };
        var path = new Option<string>("--path") { Description = "Pageview goal: a path pattern, * for any characters (e.g. /blog/*)" };
        var eventName = new Option<string>("--event") { Description = "Custom event goal: the event's name" };
        var property = new Option<string>("--property") { Description = "Optionally only hits with this custom property value, as NAME=VALUE" };
        var id = new Argument<string>("goal") { Description = "The goal's id or name" };

        var add = new Command("add", "Add a goal: a pageview path pattern or a custom event, optionally with a property match.") { data, site, name, path, eventName, property };
        add.SetAction(result =>
        {
            string? propertyName = null, propertyValue = null;
            if (result.GetValue(property) is { Length: > 0 } pair)
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    Console.Error.WriteLine("--property must be NAME=VALUE.");
                    return 2;
                }
                (propertyName, propertyValue) = (pair[..equals], pair[(equals + 1)..]);
            }
            try
            {
                var goal = Store(result.GetValue(data)!).AddGoal(result.GetValue(site)!, result.GetValue(name)!, result.GetValue(path), result.GetValue(eventName), propertyName, propertyValue);
                Console.WriteLine($"Goal {goal.Id} '{goal.Name}' added to {goal.Site}.");
                return 0;
            }
            catch (DefinitionException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });

        var list = new Command("list", "List a site's goals.") { data, site };
        list.SetAction(result =>
        {
            foreach (var goal in Store(result.GetValue(data)!).GoalsOf(result.GetValue(site)!))
            {
                var test = goal.Path is not null ? $"page {goal.Path}" : $"event {goal.EventName}";
                var match = goal.PropertyName is not null ? $" with {goal.PropertyName}={goal.PropertyValue}" : "";
                Console.WriteLine($"{goal.Id}\t{goal.Name}\t{test}{match}");
            }
            return 0;
        });

        var remove = new Command("remove", "Remove a goal by id or name.") { data, site, id };
        remove.SetAction(result =>
        {
            if (Store(result.GetValue(data)!).RemoveGoal(result.GetValue(site)!, result.GetValue(id)!))
            {
                Console.WriteLine("Removed.");
                return 0;
            }
            Console.Error.WriteLine("The site has no such goal.");
            return 1;
        });

        return new Command("goal", "Manage a site's goals (conversions).") { add, list, remove };
    }

    private static DefinitionStore Store(string data) => new(Path.Combine(data, "definitions.json"));
}
