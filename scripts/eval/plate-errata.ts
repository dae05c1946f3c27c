// Plate labels of the evaluation's media that their own picture contradicts, each looked at on
// the image (the labelled box enlarged) and kept here, in the project: the media stay as they
// are. The eval counts exact reads against the labels as they are first, and beside that against
// the labels with these corrected, so that a read the picture shows right is not counted wrong
// (and one that matched a wrong label would be counted wrong there).

export interface PlateErratum {
  /** The image, relative to the media folder. */
  readonly file: string;
  /** The label as the set gives it (normalised). */
  readonly label: string;
  /** What the plate in the picture says. */
  readonly plate: string;
  readonly what: string;
}

export const PLATE_ERRATA: readonly PlateErratum[] = [
  {
    file: 'openalpr/eu/eu5.jpg',
    label: 'OYO9FEU',
    plate: 'OY09FEU',
    what: 'a GB plate "OY09 FEU" (format LLNN LLL): the label has the letter O in the first digit slot',
  },
  {
    file: 'openalpr/br/FZB9581.jpg',
    label: 'FZB9581',
    plate: 'FBZ9581',
    what: 'a Brazilian plate "FBZ·9581" (BA-SIMÕES FILHO above it): the label, and the file name, swap B and Z',
  },
];

/** The corrected text of the plate labelled `label` in image `file` (any path ending in an erratum's), or null. */
export function correctedPlate(file: string, label: string): string | null {
  const path = file.replace(/\\/g, '/');
  const e = PLATE_ERRATA.find((x) => x.label === label && (path === x.file || path.endsWith(`/${x.file}`)));
  return e ? e.plate : null;
}
