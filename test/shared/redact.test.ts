import { describe, expect, it } from 'vitest';
import { redactSecret, redactText, redactUrl } from '../../src/shared/redact.js';

describe('password redaction', () => {
  it.each([
    ['rtsp://admin:s3cret@10.0.0.5:554/Streaming/101', 'rtsp://admin:***@10.0.0.5:554/Streaming/101'],
    ['rtsps://admin:p%40ss@cam/x', 'rtsps://admin:***@cam/x'],
    ['rtsp://admin@cam/x', 'rtsp://admin@cam/x'],
    ['rtsp://cam/x', 'rtsp://cam/x'],
    ['http://u:pw@cam/mjpg/video.mjpg', 'http://u:***@cam/mjpg/video.mjpg'],
    ['mysql://root:toor@db:3306/x', 'mysql://root:***@db:3306/x'],
    ['/var/clips/a.mp4', '/var/clips/a.mp4'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('redacts every URL inside an ffmpeg stderr line', () => {
    const line = '[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized rtsp://a:b1@h/x and rtsp://c:d2@h/y';
    const out = redactText(line);
    expect(out).not.toMatch(/b1|d2/);
    expect(out).toContain('rtsp://a:***@h/x');
  });

  it('hides a known secret anywhere in text', () => {
    expect(redactSecret('connect failed for pass=hunter22 at db', 'hunter22')).toBe('connect failed for pass=*** at db');
    expect(redactSecret('nothing to hide', undefined)).toBe('nothing to hide');
  });
});
