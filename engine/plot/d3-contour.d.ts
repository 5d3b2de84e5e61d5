// The part of d3-contour (4.0, shipped without types) that the surface chart uses.
declare module "d3-contour" {
  /** A GeoJSON MultiPolygon: the region where the grid's value is at least `value`. */
  export interface ContourMultiPolygon {
    type: "MultiPolygon";
    value: number;
    coordinates: [number, number][][][];
  }
  export interface Contours {
    (values: ArrayLike<number>): ContourMultiPolygon[];
    size(size: [number, number]): Contours;
    thresholds(thresholds: readonly number[]): Contours;
    smooth(smooth: boolean): Contours;
    contour(values: ArrayLike<number>, threshold: number): ContourMultiPolygon;
  }
  export function contours(): Contours;
}
