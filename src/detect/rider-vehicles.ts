// Which two-wheelers carry riders in a frame. Confident motorcycles take their riders first;
// a person none of them takes may still ride a motorcycle the scene detector scored low, or
// one it called another two-wheeler class (COCO's detector calls many close or partly
// visible motorcycles "bicycle"). Such a fallback vehicle counts only when someone rides it,
// so a parked or weakly seen bike without a rider adds nothing. A person the detector scored low
// (a pillion half hidden behind the driver) counts only as the rider of a confident motorcycle.
import type { Detection } from '../shared/types.js';
import { assignRiders, DEFAULT_RIDER_RULE, type RiderRule } from './riders.js';

export interface RiderVehicleOptions {
  /** scene.score_threshold: persons and confident motorcycles. */
  sceneThreshold: number;
  /** Fallback vehicles are taken down to this score. */
  vehicleThreshold: number;
  /**
   * Persons the scene detector scored between this and sceneThreshold count only as riders of a
   * confident motorcycle (pillions half hidden behind the driver score low); default sceneThreshold.
   */
  personThreshold?: number;
  /** Class ids besides the motorcycle role that a person may ride. */
  vehicleClasses: readonly number[];
  rule?: RiderRule;
}

export interface RiderVehicles {
  /** The scene's detections at the scene threshold, plus the fallback vehicles used. */
  detections: Detection[];
  /** Vehicles with their riders' indexes into `persons`; fallback vehicles carry role motorcycle. */
  vehicles: Detection[];
  riders: number[][];
  persons: Detection[];
}

/** `detections` may hold boxes below sceneThreshold (the scene detector runs at the lower of the two thresholds). */
export function findRiderVehicles(detections: readonly Detection[], o: RiderVehicleOptions): RiderVehicles {
  const rule = o.rule ?? DEFAULT_RIDER_RULE;
  const confident = detections.filter((d) => d.score >= o.sceneThreshold);
  const motos = confident.filter((d) => d.role === 'motorcycle');
  const weak = detections.filter((d) => d.role === 'person' && d.score < o.sceneThreshold && d.score >= (o.personThreshold ?? o.sceneThreshold));
  const strong = confident.filter((d) => d.role === 'person');
  // Weak persons stay only where a confident motorcycle takes them. Assigning again without the
  // ones left over gives the same pairs (best-first: a pair never taken changed nothing).
  const weakTaken = weak.length > 0 ? new Set(assignRiders([...strong, ...weak], motos, rule).flat()) : new Set<number>();
  const persons = [...strong, ...weak.filter((_, k) => weakTaken.has(strong.length + k))];
  const riders = assignRiders(persons, motos, rule);
  const taken = new Set(riders.flat());
  const free = strong.map((_, i) => i).filter((i) => !taken.has(i));
  const vehicles = [...motos];
  const used: Detection[] = [];
  if (free.length > 0) {
    const candidates = detections.filter(
      (d) =>
        d.score >= o.vehicleThreshold &&
        ((d.role === 'motorcycle' && d.score < o.sceneThreshold) || (d.role !== 'motorcycle' && o.vehicleClasses.includes(d.classId))),
    );
    const freePersons = free.map((i) => persons[i]!);
    assignRiders(freePersons, candidates, rule).forEach((list, c) => {
      if (list.length === 0) return;
      const vehicle: Detection = { ...candidates[c]!, role: 'motorcycle' };
      vehicles.push(vehicle);
      used.push(vehicle);
      riders.push(list.map((k) => free[k]!));
    });
  }
  return { detections: [...confident, ...persons.slice(strong.length), ...used], vehicles, riders, persons };
}
