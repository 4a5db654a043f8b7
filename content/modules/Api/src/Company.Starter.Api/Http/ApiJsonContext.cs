using System.Text.Json;
using System.Text.Json.Serialization;
using Company.Starter.Api.Products;
using Company.Starter.Api.Sales;
using Company.Starter.Data.Sales;

namespace Company.Starter.Api.Http;

/// <summary>
/// The REST payloads' JSON code, generated at build time (System.Text.Json source generation): responses are written
/// by generated code rather than reflection-built metadata, and the app is ready for trimming. The options are the
/// ones minimal APIs use (web defaults: camelCase, case-insensitive reads). A type not listed here still serializes,
/// through reflection: add new request and response types to keep them on the generated path.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ApiResponse<ProductResponse>))]
[JsonSerializable(typeof(ApiListResponse<ProductResponse>))]
[JsonSerializable(typeof(ProductRequest))]
[JsonSerializable(typeof(ProductUpdateRequest))]
[JsonSerializable(typeof(ApiResponse<SaleResponse>))]
[JsonSerializable(typeof(ApiResponse<IReadOnlyList<SalesBucket>>))]
[JsonSerializable(typeof(SaleRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
