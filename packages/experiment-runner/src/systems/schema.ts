// The `systems` part of the experiment config's JSON Schema: which systems run the workload
// beside (or instead of) our engine. Kept apart from config/schema.ts, which composes it, so a
// new system is a branch here and a file in this folder.

const common = {
  label: {
    type: "string",
    minLength: 1,
    description:
      'the system\'s name in variant labels and tables (default: "paxos-lab", "LibPaxos3", "LibFPaxos", "etcd")',
  },
  outstanding: {
    type: "array",
    minItems: 1,
    uniqueItems: true,
    items: { type: "integer", minimum: 1, maximum: 10000 },
    description:
      "run this system once per count of requests in flight per client, each a variant of its own (overrides workload.clients.outstanding; closed-loop clients only)",
  },
  quorums: {
    type: "array",
    minItems: 1,
    uniqueItems: true,
    items: { type: "string", minLength: 1 },
    description:
      "labels of the quorum variants this system runs (default: every variant; a system that cannot run one is an error, so name the ones it can)",
  },
} as const;

const libpaxosFamily = <Name extends string>(name: Name, what: string) =>
  ({
    type: "object",
    additionalProperties: false,
    required: ["system"],
    properties: {
      system: { const: name, description: what },
      ...common,
      source: {
        type: "string",
        minLength: 1,
        description: `a ${name} source tarball (.tar.gz), source folder or build folder (default: $PAXOS_LAB_${name.toUpperCase()}, else the snapshot in shared/third-party/)`,
      },
      storage: {
        enum: ["memory", "lmdb"],
        default: "memory",
        description: 'acceptor storage: "memory" or "lmdb" (needs liblmdb-dev at build time)',
      },
      lmdbSync: {
        type: "boolean",
        default: false,
        description: "with LMDB storage: write to disk synchronously (lmdb-sync yes)",
      },
    },
  }) as const;

export const SYSTEM_SCHEMA = {
  type: "object",
  description:
    '{"system": "paxos-lab"} (our engine), "libpaxos3", "libfpaxos" or "etcd", with a label and options',
  discriminator: { propertyName: "system" },
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["system"],
      properties: {
        system: { const: "paxos-lab", description: "our engine (the default system)" },
        ...common,
        engine: {
          type: "object",
          additionalProperties: false,
          description: "engine options for this system only (override `engine`)",
          properties: {
            thrifty: { type: "boolean", description: "send phase 2 to a minimal quorum" },
            window: { type: "integer", minimum: 1, description: "slots proposed ahead" },
            maxBatch: { type: "integer", minimum: 1, description: "commands packed into one slot" },
          },
        },
        fsync: {
          type: "boolean",
          default: true,
          description:
            "local mode: fdatasync the acceptor log before answering (false: page cache only)",
        },
        storage: {
          enum: ["fsync", "file", "memory"],
          description:
            'local and netns modes: where acceptors keep their log: "fsync" (synced before answering), "file" (written, not synced) or "memory" (no disk, as LibPaxos\'s acceptors); wins over `fsync`',
        },
        clientsFollowLeader: {
          type: "boolean",
          default: true,
          description:
            "local and netns modes: clients move to the replica beside the leader (one hop less); false keeps each on the replica its id hashes to, spreading many clients over the replicas as etcd's are spread over its members",
        },
        clientsShareConnections: {
          type: "boolean",
          default: false,
          description:
            "local and netns modes: the workload's clients share one connection per replica (one client of the library, staying on that replica while it answers), as the load generator's etcd clients share one channel per member; false connects each workload client on its own",
        },
      },
    },
    libpaxosFamily("libpaxos3", "LibPaxos3 (Sciascia): majority quorums, one value per instance"),
    libpaxosFamily(
      "libfpaxos",
      "LibFPaxos (Howard): LibPaxos3 with phase-1/phase-2 quorum sizes and thrifty sends",
    ),
    {
      type: "object",
      additionalProperties: false,
      required: ["system"],
      properties: {
        system: {
          const: "etcd",
          description: "etcd (Raft), one member per acceptor, driven over its gRPC API",
        },
        ...common,
        binary: {
          type: "string",
          minLength: 1,
          description: "the etcd executable (default: $PAXOS_LAB_ETCD, else etcd on the PATH)",
        },
      },
    },
  ],
} as const;

/** The top-level properties this part adds to the config schema. */
export const SYSTEMS_PROPERTIES = {
  systems: {
    type: "array",
    minItems: 1,
    description:
      "the systems that run the workload, each beside every quorum variant it runs (default: our engine only)",
    items: SYSTEM_SCHEMA,
  },
} as const;
