import { describe, expect, it } from 'vitest';
import { findRiderVehicles } from '../../src/detect/rider-vehicles.js';
import type { Box, Detection, Role } from '../../src/shared/types.js';

const b = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
const det = (box: Box, classId: number, score: number): Detection => {
  const role: Role | null = classId === 0 ? 'person' : classId === 3 ? 'motorcycle' : null;
  return { box, score, classId, role };
};
const options = { sceneThreshold: 0.3, vehicleThreshold: 0.15, vehicleClasses: [1] };

// A rider on a bike at x 100..160, y 200..300 (the person box sits on it).
const riderBox = b(110, 120, 150, 260);
const bikeBox = b(100, 200, 160, 300);

describe('findRiderVehicles', () => {
  it.each([
    { what: 'a confident motorcycle takes its rider', vehicle: det(bikeBox, 3, 0.8), riders: 1, via: 3 },
    { what: 'a motorcycle scored below scene.score_threshold still carries its rider', vehicle: det(bikeBox, 3, 0.2), riders: 1, via: 3 },
    { what: 'a motorcycle the detector called a bicycle carries its rider', vehicle: det(bikeBox, 1, 0.5), riders: 1, via: 1 },
    { what: 'a two-wheeler below vehicle_score_threshold is not a vehicle', vehicle: det(bikeBox, 1, 0.1), riders: 0, via: null },
    { what: 'a class not in vehicle_classes (a car) is not ridden', vehicle: det(bikeBox, 2, 0.9), riders: 0, via: null },
  ])('$what', ({ vehicle, riders, via }) => {
    const out = findRiderVehicles([det(riderBox, 0, 0.9), vehicle], options);
    expect(out.riders.flat()).toHaveLength(riders);
    if (via === null) expect(out.vehicles).toHaveLength(0);
    else {
      expect(out.vehicles).toHaveLength(1);
      expect(out.vehicles[0]!.classId).toBe(via);
      expect(out.vehicles[0]!.role).toBe('motorcycle');
    }
  });

  it('leaves a weak or bicycle box nobody rides out of the detections', () => {
    const out = findRiderVehicles([det(riderBox, 0, 0.9), det(bikeBox, 3, 0.8), det(b(400, 200, 460, 300), 1, 0.6), det(b(600, 200, 660, 300), 3, 0.2)], options);
    expect(out.vehicles).toHaveLength(1);
    expect(out.detections.map((d) => d.classId).sort()).toEqual([0, 1, 3]); // the confident bicycle box stays visible; the weak motorcycle does not
  });

  it('never gives a person two vehicles: a confident motorcycle wins over a bicycle box on the same bike', () => {
    const out = findRiderVehicles([det(riderBox, 0, 0.9), det(bikeBox, 3, 0.8), det(bikeBox, 1, 0.7)], options);
    expect(out.vehicles).toHaveLength(1);
    expect(out.vehicles[0]!.classId).toBe(3);
    expect(out.riders).toEqual([[0]]);
  });

  it('keeps persons below scene.score_threshold out, whatever they sit on', () => {
    const out = findRiderVehicles([det(riderBox, 0, 0.2), det(bikeBox, 3, 0.8)], options);
    expect(out.persons).toHaveLength(0);
    expect(out.riders).toEqual([[]]);
  });

  it('with no vehicle_classes and vehicle_score_threshold = scene threshold, is the plain motorcycle association', () => {
    const plain = { sceneThreshold: 0.3, vehicleThreshold: 0.3, vehicleClasses: [] };
    expect(findRiderVehicles([det(riderBox, 0, 0.9), det(bikeBox, 1, 0.9)], plain).vehicles).toHaveLength(0);
    expect(findRiderVehicles([det(riderBox, 0, 0.9), det(bikeBox, 3, 0.9)], plain).riders).toEqual([[0]]);
  });

  // A pillion half hidden behind the driver (persons.person_score_threshold 0.2).
  const pillionBox = b(125, 110, 158, 250);
  const weakOptions = { ...options, personThreshold: 0.2 };
  it.each([
    { what: 'a weak person on a confident motorcycle is its rider, beside the confident one', dets: [det(riderBox, 0, 0.9), det(pillionBox, 0, 0.25), det(bikeBox, 3, 0.8)], riders: [[0, 1]], persons: 2 },
    { what: 'a weak person on no motorcycle is dropped', dets: [det(riderBox, 0, 0.9), det(bikeBox, 3, 0.8), det(b(500, 100, 540, 260), 0, 0.25)], riders: [[0]], persons: 1 },
    { what: 'a weak person does not make a weak motorcycle a vehicle', dets: [det(pillionBox, 0, 0.25), det(bikeBox, 3, 0.2)], riders: [], persons: 0 },
    { what: 'a weak person does not ride a bicycle box', dets: [det(pillionBox, 0, 0.25), det(bikeBox, 1, 0.6)], riders: [], persons: 0 },
    { what: 'a person under person_score_threshold is not taken', dets: [det(pillionBox, 0, 0.15), det(bikeBox, 3, 0.8)], riders: [[]], persons: 0 },
  ])('$what', ({ dets, riders, persons }) => {
    const out = findRiderVehicles(dets, weakOptions);
    expect(out.riders).toEqual(riders);
    expect(out.persons).toHaveLength(persons);
    expect(out.detections.filter((d) => d.role === 'person')).toHaveLength(persons);
  });
});
