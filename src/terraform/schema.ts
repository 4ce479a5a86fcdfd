/**
 * The provider's schema: the one source of truth for the GetProviderSchema answer (protocol
 * form) and for the JSON `terraform providers schema -json` prints (which
 * @cdktf/provider-generator reads to generate the cdktf bindings).
 */
import type { Msg } from './proto.js';

export const PROVIDER_NAMESPACE = 'nslab';
export const PROVIDER_NAME = 'netns';
export const PROVIDER_ADDRESS = `registry.terraform.io/${PROVIDER_NAMESPACE}/${PROVIDER_NAME}`;

/** A cty type as Terraform spells it in JSON. */
export type CtyType = 'string' | 'number' | 'bool' | readonly ['map', 'string'] | readonly ['list', readonly ['map', 'string']];

export interface AttributeSpec {
  readonly type: CtyType;
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** Not part of Terraform's schema: a change of this attribute replaces the object. */
  readonly forceNew?: boolean;
  /** Not part of Terraform's schema: the value planned for an optional+computed attribute left unset. */
  readonly default?: boolean | string | number;
}

export interface ResourceSpec {
  readonly description: string;
  readonly attributes: Record<string, AttributeSpec>;
}

const ns = (what: string): AttributeSpec => ({
  type: 'string', optional: true, forceNew: true,
  description: `Name of the network namespace ${what} lives in. Unset: the host (root) namespace.`,
});
const id = (format: string): AttributeSpec => ({
  type: 'string', computed: true,
  description: `The object's id, also the id \`terraform import\` takes: \`${format}\` (an empty NS is the host namespace).`,
});
const up = (what: string): AttributeSpec => ({ type: 'bool', optional: true, computed: true, default: true, description: `Whether ${what} up. Default: true.` });
const mtu = (what: string): AttributeSpec => ({
  type: 'number', optional: true,
  description: `MTU of ${what} (68-65535). Unset: the kernel's default, not managed. Changes in place.`,
});
const impair = (what: string): AttributeSpec => ({
  type: ['map', 'string'], optional: true,
  description: `Egress impairment of ${what}: keys delay, jitter (\`20ms\`), loss, duplicate, corrupt, reorder (\`1%\`), rate (\`8mbit\`), burst (\`32kb\`), limit (packets). `
    + 'A rate alone is a tbf qdisc; anything else needs the kernel\'s netem. Unset: the kernel\'s default qdisc. Changes in place.',
});
const tag = (what: string): AttributeSpec => ({
  type: 'string', required: true, forceNew: true,
  description: `The ${what}'s name: it tags its rules (nftables comment) in the lab's table \`inet nslab_<lab>\` of the namespace.`,
});
const policy = (hook: string): AttributeSpec => ({
  type: 'string', optional: true, computed: true, default: 'accept',
  description: `Policy of the ${hook} hook: \`accept\` or \`drop\`. Default: accept. Changes in place.`,
});
const allow = (what: string): AttributeSpec => ({ type: 'bool', optional: true, computed: true, default: true, description: `${what} Default: true. Changes in place.` });
const mac = (what: string): AttributeSpec => ({
  type: 'string', optional: true,
  description: `MAC address of ${what}, \`aa:bb:cc:dd:ee:ff\`. Unset: chosen by the kernel, not managed. Changes in place.`,
});

/** The provider block. */
export const PROVIDER_ATTRIBUTES: Record<string, AttributeSpec> = {
  lab: {
    type: 'string', optional: true,
    description: 'The ownership key: every link the provider creates carries the kernel marker `nslab:<lab>` (ifalias), and '
      + 'objects marked for another key, or unmarked objects it did not create, are never changed. Default: `terraform`.',
  },
  host: {
    type: 'string', optional: true,
    description: 'The machine whose kernel the provider changes: `ssh://user@address[:port]` (an IPv6 address in brackets), '
      + 'reached with the ssh command over one multiplexed connection; it needs iproute2 (and nftables where used). '
      + 'Default: the local machine.',
  },
  identity_file: {
    type: 'string', optional: true,
    description: 'The private key ssh uses for `host`. Default: ssh\'s own choice (its configuration, agent and default keys).',
  },
  state_dir: {
    type: 'string', optional: true,
    description: 'Where the provider records what it owns, on the machine it changes. Default: env NSLAB_STATE_DIR '
      + '(for the local machine), else /var/lib/nslab.',
  },
};

/** Import id formats, by resource type (also in each `id` description). */
export const IMPORT_IDS = {
  netns_namespace: 'NAME',
  netns_bridge: 'NS|NAME',
  netns_veth_link: 'A_NS|A_NAME|B_NS|B_NAME',
  netns_ip_address: 'NS|DEVICE|CIDR',
  netns_route: 'NS|DESTINATION',
  netns_masquerade: 'NS|NAME',
  netns_port_forward: 'NS|NAME',
  netns_firewall: 'NS|NAME',
  netns_sysctl: 'KEY',
  netns_vxlan: 'NS|NAME',
} as const;

export type ResourceTypeName = keyof typeof IMPORT_IDS;

export const RESOURCES: Record<ResourceTypeName, ResourceSpec> = {
  netns_namespace: {
    description: 'A named network namespace (`ip netns add NAME`), its loopback device and per-namespace sysctls.',
    attributes: {
      id: id(IMPORT_IDS.netns_namespace),
      name: { type: 'string', required: true, forceNew: true, description: 'The namespace name.' },
      loopback_up: up('the loopback device `lo` is'),
      sysctls: {
        type: ['map', 'string'], optional: true,
        description: 'Per-namespace sysctls (`net.*`) set inside the namespace, e.g. `{ "net.ipv4.ip_forward" = "1" }`. Changes in place.',
      },
    },
  },
  netns_bridge: {
    description: 'A Linux bridge (`ip link add NAME type bridge`) in a namespace or in the host.',
    attributes: {
      id: id(IMPORT_IDS.netns_bridge),
      namespace: ns('the bridge'),
      name: { type: 'string', required: true, forceNew: true, description: 'The bridge\'s interface name (at most 15 bytes).' },
      mtu: mtu('the bridge'),
      mac: mac('the bridge'),
      up: up('the bridge is'),
      impair: impair('the bridge device'),
    },
  },
  netns_veth_link: {
    description: 'A veth pair (`ip link add A netns X type veth peer name B netns Y`): two ends, each in a namespace or the host, optionally a bridge port.',
    attributes: {
      id: id(IMPORT_IDS.netns_veth_link),
      a_namespace: ns('end a'),
      a_name: { type: 'string', required: true, forceNew: true, description: 'Interface name of end a (at most 15 bytes).' },
      a_master: { type: 'string', optional: true, description: 'Name of a bridge (in end a\'s namespace) that end a is a port of. Changes in place.' },
      a_mac: mac('end a'),
      a_impair: impair('end a'),
      b_namespace: ns('end b'),
      b_name: { type: 'string', required: true, forceNew: true, description: 'Interface name of end b (at most 15 bytes).' },
      b_master: { type: 'string', optional: true, description: 'Name of a bridge (in end b\'s namespace) that end b is a port of. Changes in place.' },
      b_mac: mac('end b'),
      b_impair: impair('end b'),
      mtu: mtu('both ends'),
      up: up('both ends are'),
    },
  },
  netns_vxlan: {
    description: 'A VXLAN device: created from the host namespace (`ip link add NAME netns NS type vxlan id VNI local L remote R dstport PORT`), '
      + 'so its UDP socket uses the machine\'s network, and moved into a lab namespace. One end of a link to a namespace on another machine.',
    attributes: {
      id: { type: 'string', computed: true, description: 'The object\'s id, also the id `terraform import` takes: `NS|NAME`.' },
      namespace: { type: 'string', required: true, forceNew: true, description: 'Name of the network namespace the device lives in (never the host).' },
      name: { type: 'string', required: true, forceNew: true, description: 'The device\'s interface name in that namespace (at most 15 bytes).' },
      vni: { type: 'number', required: true, forceNew: true, description: 'The VXLAN network identifier (1-16777215). Changing it replaces the device.' },
      local: { type: 'string', required: true, forceNew: true, description: 'This machine\'s underlay address (IPv4 or IPv6). Changing it replaces the device.' },
      remote: { type: 'string', required: true, forceNew: true, description: 'The peer machine\'s underlay address, of the same family as `local`. Changing it replaces the device.' },
      port: {
        type: 'number', optional: true, computed: true, default: 4789, forceNew: true,
        description: 'The UDP destination port (1-65535). Default: 4789. Changing it replaces the device.',
      },
      mtu: mtu('the device'),
      up: up('the device is'),
    },
  },
  netns_ip_address: {
    description: 'An IP address on a device (`ip -n NS addr add CIDR dev DEVICE`).',
    attributes: {
      id: id(IMPORT_IDS.netns_ip_address),
      namespace: ns('the device'),
      device: { type: 'string', required: true, forceNew: true, description: 'The device that carries the address.' },
      address: { type: 'string', required: true, forceNew: true, description: 'The address with its prefix length: `10.0.0.1/24`, `fd00::1/64`.' },
    },
  },
  netns_route: {
    description: 'A route in a namespace\'s main table (`ip -n NS route replace DEST via GW dev DEV proto 213`). A host default route is refused.',
    attributes: {
      id: id(IMPORT_IDS.netns_route),
      namespace: ns('the route'),
      destination: { type: 'string', required: true, forceNew: true, description: 'The destination prefix, or `default` (`::/0` for the IPv6 default).' },
      via: { type: 'string', optional: true, description: 'The gateway address. Changes in place.' },
      device: { type: 'string', optional: true, description: 'The outgoing device. Changes in place.' },
      metric: { type: 'number', optional: true, description: 'The route metric. Changes in place.' },
    },
  },
  netns_masquerade: {
    description: 'Source NAT to the outgoing device\'s address (`oifname OUT ip saddr SRC masquerade`) in the lab\'s nftables table of a namespace, which must forward.',
    attributes: {
      id: id(IMPORT_IDS.netns_masquerade),
      namespace: ns('the masquerade'),
      name: tag('masquerade'),
      source: { type: 'string', optional: true, description: 'The IPv4 prefix translated, e.g. `10.77.0.0/24`. Unset: every source. Changes in place.' },
      out_interface: { type: 'string', required: true, description: 'The device the translated packets leave by. Changes in place.' },
    },
  },
  netns_port_forward: {
    description: 'A published port: destination NAT (`iifname IN tcp dport PORT dnat ip to ADDR:PORT`) in the lab\'s nftables table of a namespace, which must forward.',
    attributes: {
      id: id(IMPORT_IDS.netns_port_forward),
      namespace: ns('the port forward'),
      name: tag('port forward'),
      in_interface: { type: 'string', optional: true, description: 'The device the connections come in by. Unset: any. Changes in place.' },
      protocol: { type: 'string', required: true, description: '`tcp` or `udp`. Changes in place.' },
      port: { type: 'number', required: true, description: 'The published port. Changes in place.' },
      to: { type: 'string', required: true, description: '`ADDR:PORT`, or `ADDR` for the same port (IPv4). Changes in place.' },
    },
  },
  netns_firewall: {
    description: 'A namespace\'s packet filter (chains input, forward, output of the lab\'s nftables table): a policy per hook and ordered rules. One per namespace.',
    attributes: {
      id: id(IMPORT_IDS.netns_firewall),
      namespace: ns('the firewall'),
      name: tag('firewall'),
      input: policy('input'),
      forward: policy('forward'),
      output: policy('output'),
      allow_established: allow('`ct state established,related accept` first in every hook (replies pass).'),
      allow_loopback: allow('Accept what comes in by `lo`.'),
      allow_port_forwards: allow('Let connections to published ports through the forward hook (`ct status dnat accept`).'),
      rules: {
        type: ['list', ['map', 'string']], optional: true,
        description: 'Ordered rules, each a map: `hook` (input, forward, output) and `action` (accept, drop, reject) required; '
          + '`source`, `destination` (prefixes), `in_interface`, `out_interface`, `protocol` (tcp, udp, icmp, icmpv6), `port` (`22` or `8000-8100`). Changes in place.',
      },
    },
  },
  netns_sysctl: {
    description: 'A sysctl of the host namespace (`sysctl -w KEY=VALUE`), e.g. `net.ipv4.ip_forward` for a host masquerade. '
      + 'The value found before it was first set is recorded and put back when the resource is deleted. One lab per key. '
      + 'A namespace\'s sysctls are the `sysctls` of `netns_namespace`.',
    attributes: {
      id: id(IMPORT_IDS.netns_sysctl),
      key: { type: 'string', required: true, forceNew: true, description: 'The sysctl, a `net.*` key: `net.ipv4.ip_forward`, `net.ipv4.conf.DEVICE.forwarding`.' },
      value: { type: 'string', required: true, description: 'The value set while the resource exists. Changes in place.' },
    },
  },
};

export const isResourceType = (t: string): t is ResourceTypeName => Object.hasOwn(RESOURCES, t);

// ---- the protocol form -------------------------------------------------------------------------

const typeBytes = (t: CtyType): Buffer => Buffer.from(JSON.stringify(t));

function protoBlock(attrs: Record<string, AttributeSpec>, description: string): Msg {
  return {
    version: 0,
    description,
    description_kind: 'MARKDOWN',
    attributes: Object.entries(attrs).sort(([a], [b]) => a.localeCompare(b)).map(([name, a]) => ({
      name,
      type: typeBytes(a.type),
      description: a.description,
      description_kind: 'MARKDOWN',
      required: a.required ?? false,
      optional: a.optional ?? false,
      computed: a.computed ?? false,
    })),
    block_types: [],
  };
}

/** The GetProviderSchema response. */
export function getProviderSchemaResponse(): Msg {
  return {
    provider: { version: 0, block: protoBlock(PROVIDER_ATTRIBUTES, 'Linux network namespaces, veth links, bridges, addresses and routes, managed by the nslab engine.') },
    resource_schemas: Object.fromEntries(Object.entries(RESOURCES).map(([name, r]) => [name, { version: 0, block: protoBlock(r.attributes, r.description) }])),
    data_source_schemas: {},
    diagnostics: [],
    server_capabilities: { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false },
  };
}

// ---- the JSON form (`terraform providers schema -json`) ----------------------------------------

function jsonBlock(attrs: Record<string, AttributeSpec>, description: string): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(attrs).sort(([x], [y]) => x.localeCompare(y))) {
    attributes[name] = {
      type: a.type,
      description: a.description,
      description_kind: 'markdown',
      ...(a.required ? { required: true } : {}),
      ...(a.optional ? { optional: true } : {}),
      ...(a.computed ? { computed: true } : {}),
    };
  }
  return { attributes, description, description_kind: 'markdown' };
}

export interface SchemaJsonOptions {
  /** The provider version recorded in `provider_versions` (the generator pins it). */
  readonly version?: string;
}

/** What `terraform providers schema -json` prints for this provider (plus `provider_versions`). */
export function providerSchemaJson(opts: SchemaJsonOptions = {}): Record<string, unknown> {
  const s = getProviderSchemaResponse();
  return {
    format_version: '1.0',
    provider_schemas: {
      [PROVIDER_ADDRESS]: {
        provider: { version: 0, block: jsonBlock(PROVIDER_ATTRIBUTES, s.provider.block.description) },
        resource_schemas: Object.fromEntries(Object.entries(RESOURCES).map(([name, r]) => [name, { version: 0, block: jsonBlock(r.attributes, r.description) }])),
      },
    },
    ...(opts.version ? { provider_versions: { [PROVIDER_ADDRESS]: opts.version } } : {}),
  };
}
