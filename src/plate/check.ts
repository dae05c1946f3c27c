// The configured plate formats applied to reads: which formats a read's region brings, the
// verdict, and counts of what was kept, repaired and rejected (and why).
import type { PlatesConfig } from '../config/schema.js';
import { AgentError } from '../shared/errors.js';
import { checkFormats, expandPattern, type CharRead, type Format, type FormatVerdict } from './formats.js';

/** The formats key for reads of every region without its own entry (e.g. a country the reader has no region for). */
export const OTHER = 'other';

export interface RegionGuess {
  readonly name: string;
  readonly confidence: number;
}

export type RejectReason = 'no_format_of_length' | 'no_format_fits' | 'region_without_formats';

export interface FormatCounts {
  checked: number;
  kept: number;
  repaired: number;
  rejected: Record<RejectReason, number>;
}

export type PlateVerdict = FormatVerdict | { readonly ok: false; readonly reason: 'region_without_formats' };

export class PlateFormats {
  private readonly byRegion = new Map<string, Format[]>();
  private readonly all: Format[] = [];
  readonly counts: FormatCounts = {
    checked: 0,
    kept: 0,
    repaired: 0,
    rejected: { no_format_of_length: 0, no_format_fits: 0, region_without_formats: 0 },
  };

  /** `regions`: the names the reader's region head uses; formats keyed by another name are a config error. */
  constructor(
    private readonly config: Pick<PlatesConfig, 'formats' | 'other_regions' | 'min_region_confidence' | 'max_repairs'>,
    regions: readonly string[] | null,
  ) {
    for (const [region, patterns] of Object.entries(config.formats)) {
      if (regions && region !== OTHER && !regions.includes(region)) {
        throw new AgentError('RSA_CONFIG_INVALID', `plates.formats.${region}: the plate reader knows no region of that name (it knows e.g. ${regions.slice(0, 4).join(', ')}, …)`);
      }
      const formats = patterns.flatMap((p) => expandPattern(p));
      this.byRegion.set(region, formats);
      if (region !== OTHER) this.all.push(...formats);
    }
  }

  get enabled(): boolean {
    return this.byRegion.size > 0;
  }

  /** The formats a read of this region is checked against; null = keep as read, [] = reject. */
  private formatsFor(region: RegionGuess | null): Format[] | null {
    const known = region && region.confidence >= this.config.min_region_confidence ? this.byRegion.get(region.name) : undefined;
    if (known) return known;
    const other = this.byRegion.get(OTHER);
    if (other) return other;
    if (this.config.other_regions === 'accept') return null;
    return this.config.other_regions === 'reject' ? [] : this.all;
  }

  check(reads: readonly CharRead[], region: RegionGuess | null): PlateVerdict {
    if (!this.enabled) return { ok: true, text: reads.map((r) => r.char).join(''), repaired: 0, pattern: null };
    this.counts.checked++;
    const verdict = this.verdict(reads, region);
    if (!verdict.ok) this.counts.rejected[verdict.reason]++;
    else if (verdict.repaired > 0) this.counts.repaired++;
    else this.counts.kept++;
    return verdict;
  }

  /** Whether `check` would keep the read (repaired or not), without counting it. */
  fits(reads: readonly CharRead[], region: RegionGuess | null): boolean {
    return !this.enabled || this.verdict(reads, region).ok;
  }

  private verdict(reads: readonly CharRead[], region: RegionGuess | null): PlateVerdict {
    const formats = this.formatsFor(region);
    if (formats === null) return { ok: true, text: reads.map((r) => r.char).join(''), repaired: 0, pattern: null };
    return formats.length === 0 ? { ok: false, reason: 'region_without_formats' } : checkFormats(reads, formats, this.config.max_repairs);
  }
}
