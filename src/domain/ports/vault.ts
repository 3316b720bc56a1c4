/**
 * The secret vault: envelope encryption with one data key per owner (an authorization, an order),
 * wrapped by the master key. Plaintext never leaves the vault except to the caller that opens it.
 */

/** Ciphertext safe to store anywhere (an event, a column): `v1.<iv>.<tag>.<ciphertext>`. */
export type Sealed = string & { readonly __brand: 'Sealed' };

export class SecretDestroyedError extends Error {
  override readonly name = 'SecretDestroyedError';
  constructor(readonly ownerId: string) {
    super('The secret was destroyed and cannot be recovered');
  }
}

export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
  constructor() {
    super('No such secret');
  }
}

export interface Vault {
  /** Encrypt with the owner's data key (made on first use), bound to the owner. */
  seal(ownerId: string, plaintext: string): Promise<Sealed>;
  /** seal() for many owners at once (a page of orders): a few queries, whatever the count. */
  sealMany(items: readonly Readonly<{ ownerId: string; plaintext: string }>[]): Promise<Sealed[]>;
  /** Decrypt; throws SecretDestroyedError once the owner's key is destroyed. */
  open(ownerId: string, sealed: Sealed): Promise<string>;
  /** Keep a secret in the vault; returns its reference (the only thing events may hold). */
  storeSecret(ownerId: string, plaintext: string): Promise<string>;
  readSecret(ref: string): Promise<string>;
  deleteSecret(ref: string): Promise<void>;
  /** Crypto-shredding: the owner's data key and secrets are deleted; nothing sealed with it opens again. */
  destroyOwner(ownerId: string): Promise<void>;
}
