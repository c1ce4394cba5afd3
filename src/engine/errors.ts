/** A step broke a limit the host set (e.g. maxNodesPerStep). */
export class GradscopeLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GradscopeLimitError";
  }
}

/**
 * A Value whose node is gone: its slot was recycled by a later step's graph.
 * Thrown instead of returning another node's number.
 */
export class StaleValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleValueError";
  }
}
