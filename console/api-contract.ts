// The console's view of the HTTP API (console/src/api-types.ts) held against the server's own
// types. Type-checked with the server (the root tsconfig.json includes this file); never built or
// bundled. Each Fits<Server, Console> fails `npm run typecheck` when what the server answers no
// longer has a field the console reads, or has it with another type.
import type { SegmentedLive } from '../src/http/render/segment-live.js';
import type { FamilyReport } from '../src/fonts/font-resolver.js';
import type { PreflightResponse } from '../src/http/preflight/preflight.dto.js';
import type {
  CancelResponse,
  CreateRenderResponse,
  HistoryItem,
  RenderStatusResponse,
} from '../src/http/render/dto/render-responses.dto.js';
import type { UploadTargetResponse } from '../src/http/uploads/create-upload.dto.js';
import type { DevTokenResponse, PreparedScenarioResponse } from '../src/console/console.dto.js';
import type { JobParityReport } from '../src/parity/job-parity.service.js';
import type { ErrorDetail } from '../src/http/errors/api-error.js';
import type {
  CancelResult,
  CreatedRender,
  DevToken,
  ErrorBody,
  HistoryRow,
  LiveFigures,
  ParityResult,
  PreflightReport,
  PreparedScenario,
  RenderStatus,
  UploadTarget,
} from './src/api-types.js';

/** Compiles only when a value of type Server can be read as Console. */
type Fits<Server extends Console, Console> = [Server, Console];

export type ConsoleApiContract = [
  Fits<UploadTargetResponse, UploadTarget>,
  Fits<CreateRenderResponse, CreatedRender>,
  Fits<RenderStatusResponse, RenderStatus>,
  Fits<SegmentedLive, LiveFigures>,
  Fits<CancelResponse, CancelResult>,
  Fits<HistoryItem, HistoryRow>,
  // The DTO types its fonts loosely (Record<string, unknown>[]) for Swagger; they are FamilyReports.
  Fits<Omit<PreflightResponse, 'fonts'> & { fonts: FamilyReport[] }, PreflightReport>,
  Fits<PreparedScenarioResponse, PreparedScenario>,
  Fits<JobParityReport, ParityResult>,
  Fits<DevTokenResponse, DevToken>,
  Fits<{ detail: ErrorDetail }, ErrorBody>,
];
