using System.Text.Json.Serialization;
using Analytics.Partners.Api;
using Analytics.Partners.Audit;
using Analytics.Partners.Delivery;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;
using Analytics.Partners.Scheduling;
using Analytics.Partners.Storage;

namespace Analytics.Partners;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredReport))]
[JsonSerializable(typeof(PushState))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(ScheduleState))]
[JsonSerializable(typeof(ReportListing))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(DeliveryStatusResponse))]
[JsonSerializable(typeof(RerunRequest))]
[JsonSerializable(typeof(RerunResponse))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(LedgerEntry))]
[JsonSerializable(typeof(DpParameters))]
internal sealed partial class PartnersJsonContext : JsonSerializerContext;
