import { Check, Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { epochMsCol, textCol, textKey } from './columns';

/** What a key may do; each scope implies the ones before it (admin ⊃ trade ⊃ read). */
export type ApiKeyScope = 'read' | 'trade' | 'admin';

/**
 * A gateway API key. Only a hash of the key's secret is stored: the plaintext key is shown once,
 * when it is created, and cannot be recovered from this row.
 */
@Entity({ name: 'api_keys' })
@Unique('api_keys_name_key', ['name'])
@Check('api_keys_scopes_check', `cardinality("scopes") > 0 AND "scopes" <@ ARRAY['read','trade','admin']::text[]`)
export class ApiKeyEntity {
  /** The public part of the key (`tl_<id>_<secret>`); names the key in logs and audits. */
  @PrimaryColumn(textKey('id'))
  id!: string;

  @Column(textCol('name'))
  name!: string;

  /** Hex SHA-256 of the secret part. */
  @Column(textCol('key_hash'))
  keyHash!: string;

  @Column({ name: 'scopes', type: 'text', array: true, nullable: false })
  scopes!: ApiKeyScope[];

  @Column(epochMsCol('created_at'))
  createdAt!: number;

  @Column(epochMsCol('revoked_at', true))
  revokedAt!: number | null;
}
