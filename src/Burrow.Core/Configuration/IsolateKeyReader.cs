using Burrow.Core.Upstreams;

namespace Burrow.Core.Configuration;

/// <summary>The root key <c>isolate</c>: what stream (and DNS) isolation keys are made of.</summary>
internal static class IsolateKeyReader
{
    private const string Accepted = "an array of \"client_address\", \"destination_address\", \"destination_port\" (each at most once; [] puts every stream on shared circuits)";

    public static IsolationPolicy? Read(SchemaReader r, PayloadNode node, string path)
    {
        if (node.Kind != PayloadNodeKind.Array && node.Kind != PayloadNodeKind.String)
        {
            r.TypeError(path, node, "an array of strings", Accepted);
            return null;
        }
        var items = r.ListOf(node, path, "an array of strings", Accepted);
        if (items is null)
            return null;
        var fields = new List<IsolationField>();
        var ok = true;
        foreach (var (item, itemPath) in items)
        {
            IsolationField? field = r.ReadString(item, itemPath, "a string", Accepted) switch
            {
                null => null,
                var s when s.Equals("client_address", StringComparison.OrdinalIgnoreCase) => IsolationField.ClientAddress,
                var s when s.Equals("destination_address", StringComparison.OrdinalIgnoreCase) => IsolationField.DestinationAddress,
                var s when s.Equals("destination_port", StringComparison.OrdinalIgnoreCase) => IsolationField.DestinationPort,
                _ => r.Error<IsolationField>(itemPath, item, $"{item.Show()} is not an isolation field; accepted: {Accepted}"),
            };
            if (field is not { } f)
            {
                ok = false;
                continue;
            }
            if (fields.Contains(f))
            {
                r.Error(itemPath, item, $"{item.Show()} is listed twice; accepted: {Accepted}");
                ok = false;
                continue;
            }
            fields.Add(f);
        }
        return ok ? new IsolationPolicy(fields) : null;
    }
}
