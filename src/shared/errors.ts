/**
 * The one catalogue of coded errors. Every code is documented here and in README.md
 * (a test checks both lists agree). A stage throws `AgentError` with a code and, where there
 * is one, the underlying error as `cause`.
 */
export const ERROR_CODES = {
  RSA_CONFIG_READ: 'The config file cannot be read or is not valid JSON.',
  RSA_CONFIG_INVALID: 'The config does not match the schema; every problem is listed with its path.',
  RSA_MODEL_MISSING: 'A model file named in the config does not exist or cannot be read.',
  RSA_MODEL_LOAD: 'ONNX Runtime could not load a model file (corrupt file, wrong format, unsupported operator).',
  RSA_MODEL_SHAPE: "A model's inputs or outputs do not match the layout the config declares for it.",
  RSA_PROVIDER_UNAVAILABLE: 'The configured GPU execution provider could not be used and the config requires it.',
  RSA_CAMERA_UNREACHABLE: 'The camera source could not be opened (refused, not found, unauthorised, timeout).',
  RSA_CAMERA_STALLED: 'The camera sent no frame within the stall timeout; ffmpeg was killed and will be restarted.',
  RSA_FRAME_INVALID: 'A frame or image could not be decoded or has the wrong size.',
  RSA_CENTRAL_UNREACHABLE: 'The central MySQL server cannot be reached or refused the credentials.',
  RSA_CENTRAL_REJECTED: 'The central MySQL server rejected a record permanently; it was moved to the dead-letter table.',
  RSA_CREDENTIALS: 'The MySQL password could not be read from its environment variable or credentials file.',
  RSA_QUEUE_CORRUPT: 'The SQLite queue file is corrupt; it was moved aside and a new one started.',
  RSA_QUEUE_FULL: 'The queue could not store a record (disk full or byte bound reached with nothing left to shed).',
  RSA_QUEUE_IO: 'The SQLite queue file could not be opened or written.',
  RSA_HEALTH_LISTEN: 'The health endpoint (operate.health) could not listen on its host and port (in use, bad address).',
  RSA_UI_TOKEN: 'The installer page has no usable access token (needed off loopback): its token file is missing, short or world-readable.',
  RSA_UI_CONFIG_WRITE: "The installer page could not write the camera's config file (or its backup).",
  RSA_NOT_IMPLEMENTED: 'The verb exists but is not built yet in this version.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AgentError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }
}

export function isAgentError(err: unknown, code?: ErrorCode): err is AgentError {
  return err instanceof AgentError && (code === undefined || err.code === code);
}

/** A short, single-line description of any thrown value for log lines and probe output. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
