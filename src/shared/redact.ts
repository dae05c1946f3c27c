/**
 * Camera and database URLs carry passwords. Every URL that reaches a log line, an error
 * message or ffmpeg's echoed stderr goes through these functions first.
 */

const URL_WITH_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+)(?::([^\s/@]*))?@/gi;

/** `rtsp://admin:secret@cam/x` → `rtsp://admin:***@cam/x`; URLs without a password unchanged. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** Redacts every URL password inside free text (ffmpeg stderr lines, error messages). */
export function redactText(text: string): string {
  return text.replace(URL_WITH_CREDENTIALS, (_m, scheme: string, user: string, pass: string | undefined) =>
    pass === undefined ? `${scheme}${user}@` : `${scheme}${user}:***@`,
  );
}

/** Also hides a known secret wherever it appears verbatim (e.g. a percent-decoded password). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 3) return text;
  return text.split(secret).join('***');
}
