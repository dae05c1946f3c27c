// What one run of the cluster drill is given: the target (its nodes, each one that the drill
// can SIGKILL and start again, and which one to kill) and the size and pace of the drain.
import type { Endpoint } from '../test/helpers/mariadb.js';

export interface KillableNode {
  label: string;
  endpoint: Endpoint;
  running: boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  rejoin(timeoutMs?: number): Promise<void>;
}

export interface DrillTarget {
  label: string;
  /** Every node (one for a single server); agents get them as central.hosts. */
  nodes: KillableNode[];
  /** The node to SIGKILL during the drain; none for a baseline. */
  victim?: KillableNode;
}

export interface DrillOptions {
  agents: number;
  backlog: number;
  batchSize: number;
  /** Bytes of each of the three evidence images. */
  evidenceBytes: number;
  /** Fraction of the backlog delivered when the victim is killed. */
  killAt: number;
  rejoinAfterMs: number;
  /** Agent i lists the nodes starting at node i mod n (load spread), else all start at node 1. */
  spread: boolean;
  timeoutMs: number;
  say?: (line: string) => void;
}
