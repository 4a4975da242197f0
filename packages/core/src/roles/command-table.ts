/**
 * A map keyed by a command's name, (clientId, seq), without building a string per lookup: a
 * replica looks its pending and awaited commands up several times per command, and a key such
 * as `${clientId}#${seq}` was a fresh string to allocate and hash every time (the client id
 * string itself is shared by a client's commands, and keeps its hash).
 */
export class CommandTable<V> {
  private readonly byClient = new Map<string, Map<number, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(clientId: string, seq: number): boolean {
    return this.byClient.get(clientId)?.has(seq) === true;
  }

  get(clientId: string, seq: number): V | undefined {
    return this.byClient.get(clientId)?.get(seq);
  }

  set(clientId: string, seq: number, value: V): void {
    let seqs = this.byClient.get(clientId);
    if (seqs === undefined) {
      seqs = new Map();
      this.byClient.set(clientId, seqs);
    }
    const before = seqs.size;
    seqs.set(seq, value);
    this.count += seqs.size - before;
  }

  delete(clientId: string, seq: number): boolean {
    const seqs = this.byClient.get(clientId);
    if (seqs === undefined || !seqs.delete(seq)) return false;
    this.count--;
    // a client with nothing left goes, so the table holds no more clients than entries
    if (seqs.size === 0) this.byClient.delete(clientId);
    return true;
  }

  *values(): IterableIterator<V> {
    for (const seqs of this.byClient.values()) yield* seqs.values();
  }
}
