// The private file that hands a camera URL with credentials to ffmpeg (ffmpeg-args.ts): a 0700
// directory under the temp dir (the unit's PrivateTmp=yes makes that the service's own /tmp),
// the list written 0600 before each ffmpeg start and removed with the directory when capture
// stops. Other local users can read neither; `ps` shows only the file's path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class SourceListDir {
  readonly path: string;
  private readonly dir: string;

  constructor(cameraId: string) {
    this.dir = mkdtempSync(join(tmpdir(), `roadside-${cameraId}-`));
    this.path = join(this.dir, 'source.ffconcat');
  }

  write(text: string): void {
    writeFileSync(this.path, text, { mode: 0o600 });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
