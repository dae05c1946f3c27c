// Two cameras on one box: two agents recording the busy clip side by side, each with its own
// camera id and queue, and what each one costs in memory. VmRSS counts every page an agent maps,
// also the code pages (node, ONNX Runtime, libvips) that the agents of a box share; PSS divides
// each shared page among the processes that map it, so two agents' PSS add up to what the box
// pays for them.
import { CLIP, startAgent, writeConfig, type AgentRun } from './run-agent.js';
import { sleep, smapsMb } from './run-procs.js';
import { freePort, median } from './run-stats.js';

export interface PairMemory {
  /** Per agent: medians of 1-s samples, MB. */
  agents: Array<{ rss: number; pss: number; anonymous: number }>;
}

/** Both agents record at the shipped helmet threshold (as busy-recording) for `seconds` once both are online. */
export async function pairMemory(dir: string, db: string, seconds: number, env: NodeJS.ProcessEnv): Promise<PairMemory> {
  const agents: AgentRun[] = [];
  try {
    for (const k of [1, 2]) {
      const port = await freePort();
      const cfg = writeConfig(dir, `pair-${k}`, {
        camera: { id: `bench-pair-${k}`, source: { url: CLIP, loop: true, realtime: true }, detect: { width: 1280, height: 720, fps: 5 } },
        regions: { enabled: true },
        central: { database: db },
        operate: { health: { port } },
      });
      agents.push(startAgent(['run', '-c', cfg], env));
    }
    for (const a of agents) await a.waitFor((l) => l.event === 'camera_online', 60_000, 'camera online');
    const samples = agents.map(() => ({ rss: [] as number[], pss: [] as number[], anonymous: [] as number[] }));
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      agents.forEach((a, k) => {
        const m = smapsMb(a.pid);
        if (!m) return;
        samples[k]!.rss.push(m.rss);
        samples[k]!.pss.push(m.pss);
        samples[k]!.anonymous.push(m.anonymous);
      });
    }
    return { agents: samples.map((s) => ({ rss: median(s.rss), pss: median(s.pss), anonymous: median(s.anonymous) })) };
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
  }
}
