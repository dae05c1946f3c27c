// How often a motorcycle's plate is searched while it stays in view. Locating a plate is the
// dearest step of the chain (one plate-detector run per suspect motorcycle, 60-80 ms on a 2-core
// box without VNNI against 25-30 ms for the scene detector), and on consecutive frames of one
// motorcycle it mostly repeats itself. So the worker remembers the motorcycles of the last frames
// (matched by box overlap, as the region gate remembers objects) and:
// - stops searching a motorcycle whose plate has been read alike `settle_reads` times, each at
//   rules.min_plate_confidence or surer (the track's plate consensus has its votes);
// - after searches that read nothing, waits one more frame per failed search before the next,
//   up to `max_gap_frames`, unless the motorcycle has grown by a fifth since (nearer: a larger
//   plate); a new motorcycle is always searched at once.
// Frames that do not follow each other (still images, a seek) start with an empty memory.
import { boxHeight, iou } from '../shared/box.js';
import type { Box, PlateRead } from '../shared/types.js';

export interface PlateBudgetOptions {
  /** Alike reads after which a motorcycle's plate is not searched again; 0: never settles. */
  readonly settleReads: number;
  /** Most frames skipped between searches that read nothing; 0: search every frame. */
  readonly maxGapFrames: number;
  /** Reads under this confidence do not count as read. */
  readonly minConfidence: number;
}

/** Overlap with its box on the frame before for a motorcycle to be the one remembered. */
const MATCH_IOU = 0.2;
/** A remembered motorcycle unseen for this many frames is forgotten. */
const FORGET_FRAMES = 10;
/** A motorcycle this much taller than at its last search is searched again at once. */
const REGROW = 1.2;

interface Remembered {
  box: Box;
  seenSeq: number;
  searchedSeq: number;
  searchedHeight: number;
  /** Searches in a row that read no plate. */
  misses: number;
  reads: Map<string, number>;
  settled: boolean;
}

/** Which motorcycles of a frame to search, and the memory each belongs to (for `record`). */
export interface PlateTicket {
  readonly seq: number;
  readonly search: readonly boolean[];
  readonly entries: readonly Remembered[];
  /** Wanted motorcycles searched now, and those left for a later frame. */
  readonly searched: number;
  readonly skipped: number;
}

export class PlateBudget {
  private memory: Remembered[] = [];
  private lastSeq = -Infinity;

  constructor(private readonly o: PlateBudgetOptions) {}

  /** The motorcycles of frame `seq` (all of them, for the memory) and which of the wanted ones to search now. */
  plan(seq: number, motos: readonly Box[], wanted: readonly boolean[]): PlateTicket {
    if (!(seq > this.lastSeq) || seq - this.lastSeq > FORGET_FRAMES) this.memory = [];
    this.lastSeq = seq;
    this.memory = this.memory.filter((m) => seq - m.seenSeq <= FORGET_FRAMES);
    const entries = this.match(seq, motos);
    const search = motos.map((box, i) => wanted[i]! && this.due(entries[i]!, seq, box));
    const searched = search.filter(Boolean).length;
    return { seq, search, entries, searched, skipped: wanted.filter(Boolean).length - searched };
  }

  /** What the searches of a planned frame read (same order as its motorcycles; null where none). */
  record(ticket: PlateTicket, plates: readonly (PlateRead | null)[]): void {
    ticket.entries.forEach((e, i) => {
      if (!ticket.search[i]) return;
      e.searchedSeq = ticket.seq;
      e.searchedHeight = boxHeight(e.box);
      const p = plates[i];
      if (!p || p.confidence < this.o.minConfidence) {
        e.misses++;
        return;
      }
      e.misses = 0;
      const n = (e.reads.get(p.text) ?? 0) + 1;
      e.reads.set(p.text, n);
      if (this.o.settleReads > 0 && n >= this.o.settleReads) e.settled = true;
    });
  }

  private due(e: Remembered, seq: number, box: Box): boolean {
    if (e.settled) return false;
    if (e.searchedSeq < 0 || e.misses === 0) return true;
    if (boxHeight(box) >= REGROW * e.searchedHeight) return true;
    return seq - e.searchedSeq > Math.min(e.misses, this.o.maxGapFrames);
  }

  /** Each motorcycle's memory: the best overlapping remembered one (each taken once), else a new one. */
  private match(seq: number, motos: readonly Box[]): Remembered[] {
    const free = new Set(this.memory);
    const pairs = motos.flatMap((box, i) => this.memory.map((m) => ({ i, m, v: iou(box, m.box) }))).filter((p) => p.v >= MATCH_IOU);
    pairs.sort((a, b) => b.v - a.v);
    const out: Array<Remembered | undefined> = motos.map(() => undefined);
    for (const { i, m } of pairs) {
      if (out[i] || !free.has(m)) continue;
      out[i] = m;
      free.delete(m);
    }
    return motos.map((box, i) => {
      const e = out[i] ?? this.remember(box);
      e.box = box;
      e.seenSeq = seq;
      return e;
    });
  }

  private remember(box: Box): Remembered {
    const e: Remembered = { box, seenSeq: -1, searchedSeq: -1, searchedHeight: boxHeight(box), misses: 0, reads: new Map(), settled: false };
    this.memory.push(e);
    return e;
  }
}
