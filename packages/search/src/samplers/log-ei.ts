/**
 * Log expected improvement, stable far into the tail (where EI itself underflows): for a
 * minimized standardized objective with posterior N(mean, sd^2) and best value f*,
 * EI = sd * h(z) with z = (f* - mean) / sd and h(z) = z Phi(z) + phi(z).
 */
import { normalMass } from './parzen-estimator.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const TAIL = -8;

/** log h(z) and d log h / dz = Phi(z) / h(z). */
export function logH(z: number): { value: number; slope: number } {
  const logPhi = -0.5 * z * z - LOG_SQRT_2PI;
  if (z > TAIL) {
    const cdf = normalMass(-Infinity, z);
    const pdf = Math.exp(logPhi);
    const h = Math.max(z * cdf + pdf, 1e-300);
    return { value: Math.log(h), slope: cdf / h };
  }
  // asymptotic series: h(z) = phi(z) / z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + 945/z^8 ...),
  // Phi(z) = phi(z) / |z| (1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8 ...)
  const u = 1 / (z * z);
  const hSeries = 1 - 3 * u + 15 * u * u - 105 * u ** 3 + 945 * u ** 4;
  const cdfSeries = 1 - u + 3 * u * u - 15 * u ** 3 + 105 * u ** 4;
  return { value: logPhi + Math.log(u) + Math.log(hSeries), slope: (Math.abs(z) * cdfSeries) / hSeries };
}

/**
 * log EI of a point with posterior `mean` and `variance` against the best value `best`
 * (minimization), and its derivatives with respect to the mean and the variance.
 *
 * @example
 * logExpectedImprovement(0, 1, 0).value; // log(phi(0)) = -0.9189...
 */
export function logExpectedImprovement(mean: number, variance: number, best: number): { value: number; dMean: number; dVariance: number } {
  const sd = Math.sqrt(variance);
  const z = (best - mean) / sd;
  const h = logH(z);
  // d/dmean = slope * (-1/sd); d/dsd = 1/sd - slope * z / sd; d/dvar = d/dsd / (2 sd)
  return { value: Math.log(sd) + h.value, dMean: -h.slope / sd, dVariance: (1 / sd - (h.slope * z) / sd) / (2 * sd) };
}
