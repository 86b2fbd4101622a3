/**
 * Resolves a Kafka mapping into what kafkajs needs: brokers, topic, consumer group, TLS and SASL,
 * plus how events name their source.
 *
 * - Self-managed: SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS.
 * - MSK-style (`EventSourceArn` = `arn:aws:kafka:...`): the bootstrap list comes from the config
 *   file's `aws.kafkaClusters[<cluster ARN>]`.
 * - Consumer group: SelfManagedKafkaEventSourceConfig / AmazonManagedKafkaEventSourceConfig
 *   .ConsumerGroupId, else the mapping UUID (as AWS).
 * - SourceAccessConfigurations: the URI of BASIC_AUTH (SASL/PLAIN), SASL_SCRAM_256_AUTH,
 *   SASL_SCRAM_512_AUTH, CLIENT_CERTIFICATE_TLS_AUTH and SERVER_ROOT_CA_CERTIFICATE names a
 *   secret. sluice does not call Secrets Manager: the secret's JSON value (as stored in Secrets
 *   Manager: `{"username","password"}`, `{"certificate","privateKey"[,"privateKeyPassword"]}`,
 *   `{"certificate"}`) is read from the environment variable `SLUICE_SECRET_<NAME>`, where NAME is
 *   the secret name (the part after `secret:` in the ARN, or the URI itself) upper-cased with every
 *   other character than A-Z/0-9 replaced by `_`; the same name without Secrets Manager's
 *   `-XXXXXX` suffix is tried second.
 * - TLS is on when SASL or a certificate configuration is present (AWS connects with SASL_SSL);
 *   `KafkaSourceOptions.tls` overrides it (e.g. SASL_PLAINTEXT on a private network).
 */
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { MappingSpec } from '../../core/mapping.js';
import { SourceError } from '../../core/errors.js';
import { parseArn } from '../aws-clients.js';
import type { AwsSettings } from '../source.js';
import type { KafkaEventSource } from './event.js';

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly ssl: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions;
  readonly source: KafkaEventSource;
}

/** The environment variable names tried for a secret URI, in order. */
export function secretEnvNames(uri: string): string[] {
  const arn = parseArn(uri);
  let name = arn ? arn.resource.replace(/^secret:/, '') : uri;
  const norm = (s: string): string => `SLUICE_SECRET_${s.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const names = [norm(name)];
  const m = /^(.*)-[A-Za-z0-9]{6}$/.exec(name);
  if (arn && m?.[1]) {
    name = m[1];
    names.push(norm(name));
  }
  return names;
}

function readSecret(uri: string, env: NodeJS.ProcessEnv, ctx: Record<string, unknown>): Record<string, string> {
  const names = secretEnvNames(uri);
  for (const n of names) {
    const raw = env[n];
    if (raw === undefined) continue;
    try {
      const v = JSON.parse(raw) as unknown;
      if (v && typeof v === 'object') return v as Record<string, string>;
    } catch (cause) {
      throw new SourceError(`${n} is not valid JSON`, { code: 'KAFKA_SECRET_INVALID', retriable: false, context: ctx, cause });
    }
    throw new SourceError(`${n} must hold a JSON object`, { code: 'KAFKA_SECRET_INVALID', retriable: false, context: ctx });
  }
  throw new SourceError(`secret ${uri} not found: set ${names.join(' or ')} to its JSON value`, {
    code: 'KAFKA_SECRET_MISSING',
    retriable: false,
    context: ctx,
  });
}

export function resolveKafkaConnection(
  spec: MappingSpec,
  aws: AwsSettings,
  opts: { tls?: boolean; env?: NodeJS.ProcessEnv } = {},
): KafkaConnection {
  const env = opts.env ?? process.env;
  const ctx = { mappingUuid: spec.UUID, source: spec.EventSourceArn ?? 'self-managed kafka' };
  const bad = (msg: string): SourceError => new SourceError(msg, { code: 'KAFKA_CONFIG', retriable: false, context: ctx });

  const topic = spec.Topics?.[0];
  if (!topic || spec.Topics?.length !== 1) throw bad('a Kafka mapping needs exactly one topic in Topics');

  let brokers: readonly string[];
  let source: KafkaEventSource;
  const arn = spec.EventSourceArn;
  if (arn && parseArn(arn)?.service === 'kafka') {
    const list = aws.kafkaClusters?.[arn];
    if (!list || list.length === 0) throw bad(`no bootstrap servers configured for ${arn} (aws.kafkaClusters)`);
    brokers = list;
    source = { eventSource: 'aws:kafka', eventSourceArn: arn, bootstrapServers: list.join(',') };
  } else {
    const list = spec.SelfManagedEventSource?.Endpoints.KAFKA_BOOTSTRAP_SERVERS;
    if (!list || list.length === 0) throw bad('SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS is empty');
    brokers = list;
    source = { eventSource: 'SelfManagedKafka', bootstrapServers: list.join(',') };
  }

  const groupId =
    spec.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId ?? spec.AmazonManagedKafkaEventSourceConfig?.ConsumerGroupId ?? spec.UUID;

  let sasl: SASLOptions | undefined;
  const tls: ConnectionOptions = {};
  let certs = false;
  for (const a of spec.SourceAccessConfigurations ?? []) {
    switch (a.Type) {
      case 'BASIC_AUTH':
      case 'SASL_SCRAM_256_AUTH':
      case 'SASL_SCRAM_512_AUTH': {
        const s = readSecret(a.URI, env, ctx);
        if (typeof s.username !== 'string' || typeof s.password !== 'string') {
          throw new SourceError(`secret ${a.URI} needs "username" and "password"`, { code: 'KAFKA_SECRET_INVALID', retriable: false, context: ctx });
        }
        const mechanism = a.Type === 'BASIC_AUTH' ? 'plain' : a.Type === 'SASL_SCRAM_256_AUTH' ? 'scram-sha-256' : 'scram-sha-512';
        sasl = { mechanism, username: s.username, password: s.password } as SASLOptions;
        break;
      }
      case 'CLIENT_CERTIFICATE_TLS_AUTH': {
        const s = readSecret(a.URI, env, ctx);
        if (s.certificate) tls.cert = s.certificate;
        if (s.privateKey) tls.key = s.privateKey;
        if (s.privateKeyPassword) tls.passphrase = s.privateKeyPassword;
        certs = true;
        break;
      }
      case 'SERVER_ROOT_CA_CERTIFICATE': {
        const s = readSecret(a.URI, env, ctx);
        if (s.certificate) tls.ca = s.certificate;
        certs = true;
        break;
      }
      default:
        // VPC_SUBNET, VPC_SECURITY_GROUP, VIRTUAL_HOST: networking AWS sets up; nothing to do here.
        break;
    }
  }
  const useTls = opts.tls ?? (sasl !== undefined || certs);
  const ssl: boolean | ConnectionOptions = useTls ? (certs ? tls : true) : false;
  return { brokers, topic, groupId, ssl, ...(sasl ? { sasl } : {}), source };
}
