import { defineConfig } from 'vitest/config';

// Two projects: `unit` (one stage at a time, fakes only, no models, servers or browsers) and
// `integration` (real ffmpeg, RTSP servers, MariaDB, Galera, models, Chromium, the CLI).
// `npm test` runs both; `npm run test:unit` the first alone.
const slow = ['test/integration/**', 'test/e2e/**', 'test/training/**', 'test/models/**'];

export default defineConfig({
  test: {
    // Integration tests start real ffmpeg, RTSP servers and MariaDB connections: run files one
    // at a time on a 2-core box so their timings do not fight each other.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: slow } },
      { extends: true, test: { name: 'integration', include: slow.map((g) => `${g.replace('/**', '')}/**/*.test.ts`) } },
    ],
  },
});
