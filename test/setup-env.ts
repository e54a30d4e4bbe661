/**
 * Per-worker environment for every test project.
 *
 * The SDK warns once per process that its releases after January 2027 need Node 22; this project
 * pins its SDK versions and says so in the README, so the warning is noise in test output.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Handlers log through Powertools; keep test output to what jest reports. Set it to DEBUG to look.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Metrics go to stdout as EMF lines in Lambda; in tests they would only drown jest's report.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
