import * as path from "node:path";

/**
 * Whether a source location's file (as the runner reports it: absolute, or relative to the
 * model's folder) names this document. Case-insensitive on Windows and macOS file systems is
 * not attempted: the runner reports the path it was given.
 */
export function isSameFile(locationFile: string, documentPath: string, modelFile?: string): boolean {
  if (path.isAbsolute(locationFile)) return path.normalize(locationFile) === path.normalize(documentPath);
  const base = modelFile ? path.dirname(modelFile) : path.dirname(documentPath);
  return path.normalize(path.resolve(base, locationFile)) === path.normalize(documentPath);
}

/** Turns a runner location file into an absolute path, relative ones resolved against the model's folder. */
export function absoluteLocationFile(locationFile: string, modelFile: string): string {
  return path.isAbsolute(locationFile) ? locationFile : path.resolve(path.dirname(modelFile), locationFile);
}
