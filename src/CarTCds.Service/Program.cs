using CarTCds.Service.Benchmark;
using CarTCds.Service.CdsServices;
using CarTCds.Service.Feedback;
using CarTCds.Service.Health;
using CarTCds.Service.Hosting;
using CarTCds.Service.Sandbox;
using CarTCds.Service.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddCarTCds();
builder.AddCdsHooksSecurity();
builder.AddSandbox();

var app = builder.Build();
app.LogStartupWarnings();
app.UseOperationOutcomeErrors();
app.UseDoubledSlashesAsSingle();
app.UseCdsHooksSecurity();
app.MapCdsServices();
app.MapFeedback();
app.MapFeedbackAdmin().RequireAuthorization(CdsHooksSecurity.AdminPolicy);
app.MapHealth();
app.MapBenchmarkBaselines();
app.MapSandbox();
app.MapOpenApi();
app.MapApiReference();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
