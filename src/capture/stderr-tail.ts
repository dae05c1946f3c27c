import { redactSecret, redactText } from '../shared/redact.js';

/**
 * The last lines ffmpeg wrote to stderr, already scrubbed of the camera's password, so they
 * can go into a log line when the camera goes offline. ffmpeg echoes its input URL in many
 * messages (`rtsp://admin:pw@cam/x: Connection refused`), with and without percent-encoding.
 */
export class StderrTail {
  private readonly lines: string[] = [];
  private readonly secrets: string[];

  constructor(
    url: string,
    private readonly capacity = 20,
  ) {
    this.secrets = urlSecrets(url);
  }

  push(line: string): string {
    const clean = scrubLine(line, this.secrets);
    if (clean.length === 0) return clean;
    this.lines.push(clean);
    if (this.lines.length > this.capacity) this.lines.shift();
    return clean;
  }

  /** The last `n` lines, oldest first. */
  last(n = this.capacity): string[] {
    return this.lines.slice(-n);
  }

  clear(): void {
    this.lines.length = 0;
  }
}

/** The password of a URL as written and percent-decoded (both can appear in ffmpeg's output). */
export function urlSecrets(url: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s/@]*)@/i.exec(url);
  const raw = match?.[1];
  if (!raw) return [];
  const out = [raw];
  try {
    const decoded = decodeURIComponent(raw);
    if (decoded !== raw) out.push(decoded);
  } catch {
    // not valid percent-encoding: the raw form is all ffmpeg can print
  }
  return out;
}

export function scrubLine(line: string, secrets: readonly string[]): string {
  let out = redactText(line.trimEnd());
  for (const s of secrets) out = redactSecret(out, s);
  return out;
}
