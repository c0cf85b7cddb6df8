using Microsoft.AspNetCore.Http.Metadata;

namespace Ledger.Host.Http;

/// <summary>
/// The JSON body an endpoint reads itself (<see cref="JsonBody"/>), as metadata: the OpenAPI document shows it, and
/// routing answers another content type with 415. What minimal APIs' <c>Accepts&lt;T&gt;()</c> adds, for an endpoint
/// that is a Wolverine method.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsJsonAttribute(Type requestType) : Attribute, IAcceptsMetadata
{
    public IReadOnlyList<string> ContentTypes { get; } = ["application/json"];

    public Type? RequestType { get; } = requestType;

    public bool IsOptional { get; set; }
}
