/**
 * Word lists and name builders for the synthetic demo fleet (see demo-data.ts).
 * Everything here is made up to look like a real fleet: the package, product
 * and famous emergency names are real, but the advisories, KB numbers and most
 * CVEs are generated — such an id may exist for real, its text here is made up.
 *
 * A finding is "definition number d of a type on an OS family": the name is an
 * injective function of d (so a host given distinct d's never repeats a name),
 * and the content (package, CVEs, versions) is a hash of d, so every host that
 * has definition d shows the same advisory.
 */

import type { VulType } from '../domain/vulnerabilities.ts';

/** Sas search tags, in the order they are listed. */
// prettier-ignore
const SEARCH_TAGS = ['Restart required', 'Exploitable', 'Code execution', 'Remote exploitation'] as const;
type SearchTag = (typeof SEARCH_TAGS)[number];

/** murmur3's finaliser: a cheap, well-mixed 32-bit hash of an integer. */
function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
/** The `salt`-th independent hash of d. */
const hashOf = (d: number, salt: number) => mix32(d * 0x9e3779b1 + salt);
const pick = <T>(list: readonly T[], hash: number): T => list[hash % list.length]!;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** A bijection of [0, size) for multiplier coprime to size: scatters sequential numbers. */
const scatter = (n: number, size: number, multiplier: number) => (n * multiplier + 7) % size;

// ---- operating systems -------------------------------------------------------

export type OsFamily = 'rhel' | 'ubuntu' | 'debian' | 'windows';
export interface OsProfile {
  os: 'linux' | 'windows';
  osName: string;
  family: OsFamily;
  kernels: readonly string[];
  /** rpm dist tag (`el7`), Debian/Ubuntu release suffix, or the Windows product name. */
  release: string;
  /** Older releases carry more findings. */
  risk: number;
}

// prettier-ignore
export const OS_PROFILES = {
  ubuntu2204: linux('Ubuntu 22.04 64-bit', 'ubuntu', ['5.15.0-91-generic', '5.15.0-105-generic'], '22.04', 1),
  ubuntu2004: linux('Ubuntu 20.04 64-bit', 'ubuntu', ['5.4.0-167-generic', '5.4.0-182-generic'], '20.04', 1.5),
  ubuntu1804: linux('Ubuntu 18.04 64-bit', 'ubuntu', ['4.15.0-213-generic'], '18.04', 2.5),
  centos79: linux('CentOS 7.9 64-bit', 'rhel', ['3.10.0-1160.105.1.el7.x86_64', '3.10.0-1160.119.1.el7.x86_64'], 'el7', 3),
  centos85: linux('CentOS 8.5 64-bit', 'rhel', ['4.18.0-348.7.1.el8_5.x86_64'], 'el8_5', 2),
  rhel88: linux('Red Hat Enterprise Linux 8.8 64-bit', 'rhel', ['4.18.0-477.27.1.el8_8.x86_64'], 'el8_8', 1),
  rhel92: linux('Red Hat Enterprise Linux 9.2 64-bit', 'rhel', ['5.14.0-284.30.1.el9_2.x86_64'], 'el9_2', 0.8),
  alinux3: linux('Alibaba Cloud Linux 3.2104 LTS 64-bit', 'rhel', ['5.10.134-16.al8.x86_64'], 'al8', 0.8),
  debian11: linux('Debian 11.8 64-bit', 'debian', ['5.10.0-26-amd64'], '11', 1.5),
  debian12: linux('Debian 12.4 64-bit', 'debian', ['6.1.0-17-amd64'], '12', 0.8),
  win2016: windows('Windows Server 2016', '10.0.14393', 2),
  win2019: windows('Windows Server 2019', '10.0.17763', 1.5),
  win2022: windows('Windows Server 2022', '10.0.20348', 1),
} satisfies Record<string, OsProfile>;
export type OsKey = keyof typeof OS_PROFILES;

function linux(
  osName: string,
  family: OsFamily,
  kernels: string[],
  release: string,
  risk: number,
): OsProfile {
  return { os: 'linux', osName, family, kernels, release, risk };
}
function windows(product: string, build: string, risk: number): OsProfile {
  return { os: 'windows', osName: product, family: 'windows', kernels: [build], release: product, risk };
}

/**
 * Each run of ten hosts takes one OS from every slot (then shuffles them), so
 * any ten consecutive demo hosts mix distributions and include two Windows.
 */
export const OS_DECK: readonly (readonly OsKey[])[] = [
  ['ubuntu2204'],
  ['ubuntu2004', 'ubuntu1804'],
  ['centos79'],
  ['centos79', 'centos85'],
  ['alinux3'],
  ['rhel88', 'rhel92'],
  ['debian11', 'debian12'],
  ['ubuntu2204', 'alinux3'],
  ['win2019'],
  ['win2016', 'win2022'],
];

// ---- fleet ---------------------------------------------------------------------

/** Host groups with their share of hosts and the prefix of their instance names. */
export const HOST_GROUPS = [
  { name: 'default', weight: 15, prefix: 'launch-advisor' },
  { name: 'production', weight: 35, prefix: 'prod' },
  { name: 'staging', weight: 15, prefix: 'stg' },
  { name: 'development', weight: 15, prefix: 'dev' },
  { name: 'testing', weight: 10, prefix: 'test' },
  { name: 'data-platform', weight: 10, prefix: 'data' },
] as const;

export const LINUX_ROLES = [
  'web',
  'api',
  'app',
  'mysql',
  'redis',
  'k8s-node',
  'bastion',
  'worker',
  'jenkins',
  'es',
];
export const WINDOWS_ROLES = ['iis', 'ad', 'sqlserver', 'rdp', 'files'];
/** Region ids and the prefix their ECS/VPC ids start with. */
export const REGIONS = [
  { id: 'cn-hangzhou', prefix: 'bp1', weight: 30 },
  { id: 'cn-shanghai', prefix: 'uf6', weight: 20 },
  { id: 'cn-beijing', prefix: '2ze', weight: 20 },
  { id: 'cn-shenzhen', prefix: 'wz9', weight: 10 },
  { id: 'cn-hongkong', prefix: 'j6c', weight: 8 },
  { id: 'ap-southeast-1', prefix: 't4n', weight: 7 },
  { id: 'eu-central-1', prefix: 'gw8', weight: 5 },
] as const;
export const CPU_MODELS = [
  'Intel(R) Xeon(R) Platinum 8269CY CPU @ 2.50GHz',
  'Intel(R) Xeon(R) Platinum 8369B CPU @ 2.70GHz',
  'Intel(R) Xeon(R) Platinum 8163 CPU @ 2.50GHz',
  'Intel(R) Xeon(R) Gold 6271C CPU @ 2.60GHz',
  'AMD EPYC 7K62 48-Core Processor',
];
export const AGENT_VERSIONS = ['0.9.2', '0.9.4', '0.10.0', '0.10.1', '0.10.1'];
/** Deployed applications: folders that hold components, and container images. */
export const APPLICATIONS = [
  'shop-api',
  'order-service',
  'payments',
  'user-center',
  'search',
  'admin-portal',
];
export const CONTAINER_IMAGES = [
  'nginx:1.21.6',
  'redis:6.2.6',
  'mysql:5.7.36',
  'registry.example.com/shop/shop-api:2.3.1',
  'registry.example.com/shop/order-service:1.8.0',
  'registry.example.com/platform/user-center:3.0.4',
];

// ---- products that have CVEs ------------------------------------------------------

type Category = 'linux' | 'windows' | 'app' | 'cms';
interface Product {
  category: Category;
  display: string;
}
interface LinuxPackage extends Product {
  rpm: string;
  deb: string;
  base: string;
  restart: boolean;
}
interface AppComponent extends Product {
  name: string;
  ecosystem: 'maven' | 'pypi' | 'npm';
  version: string;
  fixed: string;
}
interface CmsProduct extends Product {
  slug: string;
  version: string;
  fixed: string;
}

const pkg = (rpm: string, deb: string, display: string, base: string, restart = false): LinuxPackage => ({
  ...{ category: 'linux', rpm, deb, display, base, restart },
});
const LINUX_PACKAGES: readonly LinuxPackage[] = [
  pkg('openssl', 'openssl', 'OpenSSL', '1.1.1k'),
  pkg('gnutls', 'libgnutls30', 'GnuTLS', '3.6.16'),
  pkg('glibc', 'libc6', 'glibc', '2.28', true),
  pkg('kernel', 'linux-image-generic', 'Linux kernel', '4.18.0', true),
  pkg('sudo', 'sudo', 'sudo', '1.8.29'),
  pkg('openssh', 'openssh-server', 'OpenSSH', '8.0p1'),
  pkg('curl', 'curl', 'curl', '7.61.1'),
  pkg('bind', 'bind9', 'BIND', '9.11.36'),
  pkg('nss', 'libnss3', 'NSS', '3.79.0'),
  pkg('python3', 'python3', 'Python', '3.6.8'),
  pkg('systemd', 'systemd', 'systemd', '239', true),
  pkg('polkit', 'policykit-1', 'polkit', '0.115'),
  pkg('vim-enhanced', 'vim', 'Vim', '8.0.1763'),
  pkg('libxml2', 'libxml2', 'libxml2', '2.9.7'),
  pkg('expat', 'libexpat1', 'Expat', '2.2.5'),
  pkg('zlib', 'zlib1g', 'zlib', '1.2.11'),
  pkg('sqlite', 'libsqlite3-0', 'SQLite', '3.26.0'),
  pkg('krb5-libs', 'libkrb5-3', 'MIT Kerberos 5', '1.18.2'),
  pkg('samba', 'samba', 'Samba', '4.15.5'),
  pkg('git', 'git', 'Git', '2.31.1'),
  pkg('httpd', 'apache2', 'Apache HTTP Server', '2.4.37'),
  pkg('nginx', 'nginx', 'nginx', '1.20.1'),
  pkg('postgresql', 'postgresql', 'PostgreSQL', '13.9'),
  pkg('bash', 'bash', 'Bash', '4.4.20'),
  pkg('tar', 'tar', 'GNU tar', '1.30'),
  pkg('xz-libs', 'liblzma5', 'XZ Utils', '5.2.4'),
  pkg('libwebp', 'libwebp6', 'libwebp', '1.0.0'),
  pkg('cups', 'cups', 'CUPS', '2.2.6'),
  pkg('libtiff', 'libtiff5', 'LibTIFF', '4.0.9'),
  pkg('binutils', 'binutils', 'GNU Binutils', '2.30'),
];
const WINDOWS_COMPONENTS: readonly Product[] = [
  'Windows SMB',
  'Windows Kernel',
  'Windows Print Spooler',
  'Remote Desktop Services',
  'Win32k',
  'Windows TCP/IP',
  '.NET Framework',
  'Windows Hyper-V',
  'Windows LSA',
  'Internet Information Services',
].map((display) => ({ category: 'windows', display }));

const component = (
  ecosystem: AppComponent['ecosystem'],
  name: string,
  display: string,
  version: string,
  fixed: string,
): AppComponent => ({ category: 'app', ecosystem, name, display, version, fixed });
const APP_COMPONENTS: readonly AppComponent[] = [
  component('maven', 'log4j-core', 'Apache Log4j2', '2.14.1', '2.17.1'),
  component('maven', 'fastjson', 'Alibaba Fastjson', '1.2.68', '1.2.83'),
  component('maven', 'jackson-databind', 'Jackson Databind', '2.9.10.4', '2.12.7.1'),
  component('maven', 'spring-beans', 'Spring Framework', '5.3.17', '5.3.18'),
  component('maven', 'shiro-core', 'Apache Shiro', '1.5.2', '1.13.0'),
  component('maven', 'struts2-core', 'Apache Struts2', '2.5.10', '2.5.33'),
  component('maven', 'commons-text', 'Apache Commons Text', '1.9', '1.10.0'),
  component('maven', 'commons-collections', 'Apache Commons Collections', '3.2.1', '3.2.2'),
  component('maven', 'snakeyaml', 'SnakeYAML', '1.26', '2.0'),
  component('maven', 'netty-codec-http', 'Netty', '4.1.42.Final', '4.1.100.Final'),
  component('maven', 'tomcat-embed-core', 'Apache Tomcat', '9.0.30', '9.0.83'),
  component('maven', 'xstream', 'XStream', '1.4.17', '1.4.20'),
  component('pypi', 'django', 'Django', '3.2.12', '3.2.25'),
  component('pypi', 'flask', 'Flask', '1.1.2', '2.3.2'),
  component('pypi', 'pyyaml', 'PyYAML', '5.3.1', '5.4'),
  component('pypi', 'jinja2', 'Jinja2', '2.11.2', '3.1.4'),
  component('pypi', 'urllib3', 'urllib3', '1.26.4', '1.26.18'),
  component('pypi', 'pillow', 'Pillow', '8.1.0', '10.3.0'),
  component('npm', 'lodash', 'Lodash', '4.17.15', '4.17.21'),
  component('npm', 'express', 'Express', '4.17.1', '4.19.2'),
  component('npm', 'axios', 'Axios', '0.21.0', '1.6.0'),
  component('npm', 'minimist', 'minimist', '1.2.5', '1.2.6'),
  component('npm', 'jsonwebtoken', 'jsonwebtoken', '8.5.1', '9.0.0'),
  component('npm', 'ws', 'ws', '7.4.5', '7.5.10'),
];

const cms = (slug: string, display: string, version: string, fixed: string): CmsProduct => ({
  ...{ category: 'cms', slug, display, version, fixed },
});
const CMS_PRODUCTS: readonly CmsProduct[] = [
  cms('wordpress', 'WordPress', '5.8.1', '6.4.3'),
  cms('discuz', 'Discuz! X', '3.4', '3.5'),
  cms('phpcms', 'PHPCMS', '9.6.0', '9.6.3'),
  cms('dedecms', 'DedeCMS', '5.7', '5.7.112'),
  cms('thinkphp', 'ThinkPHP', '5.0.23', '5.0.24'),
  cms('joomla', 'Joomla!', '3.9.27', '4.4.3'),
  cms('drupal', 'Drupal', '8.9.13', '9.5.11'),
  cms('ecshop', 'ECShop', '2.7.3', '4.1.5'),
  cms('phpmyadmin', 'phpMyAdmin', '4.8.1', '5.2.1'),
];
const CMS_PLACES = [
  'the comment form',
  'the file manager',
  'the admin panel',
  'the search page',
  'the uploader',
];
const WEB_SITES = ['www', 'blog', 'shop', 'bbs', 'cms'];

// ---- weaknesses and the CVE catalogue --------------------------------------------

interface Weakness {
  title: string;
  slug: string;
  impact: string;
  vector: string;
  score: number;
  tags: readonly SearchTag[];
  categories: readonly Category[];
}
const CODE = ['Code execution', 'Remote exploitation'] as const;
const REMOTE = ['Remote exploitation'] as const;
// prettier-ignore
const WEAKNESSES: readonly Weakness[] = ([
  // title, slug, CVSS 3.1 vector and its base score, search tags, where it occurs, impact
  ['remote code execution', 'rce', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, CODE, 'linux windows app cms', 'A remote, unauthenticated attacker could execute arbitrary code.'],
  ['heap buffer overflow', 'overflow', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, ['Code execution'], 'linux windows', 'Crafted input could crash the process or run code.'],
  ['use-after-free', 'uaf', 'AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, ['Code execution'], 'linux', 'A local user could crash the system or escalate privileges.'],
  ['elevation of privilege', 'privesc', 'AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, [], 'linux windows', 'A local user could gain administrator privileges.'],
  ['denial of service', 'dos', 'AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5, REMOTE, 'linux windows app', 'A remote attacker could make the service unavailable.'],
  ['information disclosure', 'info', 'AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', 5.3, REMOTE, 'linux windows app', 'A remote attacker could read sensitive memory contents.'],
  ['integer overflow', 'intoverflow', 'AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', 5.5, [], 'linux', 'A local user could crash the process.'],
  ['out-of-bounds read', 'oob', 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N', 6.5, [], 'linux app', 'A crafted file could disclose memory or crash the process.'],
  ['timing side channel', 'timing', 'AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N', 2.5, [], 'linux', 'A local attacker could recover key material.'],
  ['security feature bypass', 'bypass', 'AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', 4.3, [], 'windows', 'An attacker could bypass a security check.'],
  ['deserialization', 'deser', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, CODE, 'app', 'Untrusted serialized data could lead to remote code execution.'],
  ['server-side request forgery', 'ssrf', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, REMOTE, 'app cms', 'An attacker could make the server send requests to internal hosts.'],
  ['path traversal', 'traversal', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, REMOTE, 'app cms', 'An attacker could read files outside the web root.'],
  ['authentication bypass', 'authbypass', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', 9.1, REMOTE, 'app cms', 'A remote attacker could skip authentication.'],
  ['SQL injection', 'sqli', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, REMOTE, 'cms', 'A remote attacker could read or change the database.'],
  ['stored cross-site scripting', 'xss', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, [], 'cms', 'An attacker could run script in other users\u2019 browsers.'],
  ['arbitrary file upload', 'upload', 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, CODE, 'cms', 'An authenticated user could upload and run a web shell.'],
] as const).map(([title, slug, vector, score, tags, where, impact]) => ({
  title, slug, impact, vector: `CVSS:3.1/${vector}`, score, tags, categories: where.split(' ') as Category[],
}));

const CMS_WEAKNESSES = WEAKNESSES.filter((w) => w.categories.includes('cms'));

/** A row of the shared `cves` table. */
export interface CveEntry {
  id: string;
  title: string;
  summary: string;
  solution: string;
  score: number;
  vector: string;
  level: 'serious' | 'high' | 'medium' | 'low';
  publishedAt: number;
  tags: readonly SearchTag[];
}

function vulLevel(score: number): CveEntry['level'] {
  if (score >= 9) return 'serious';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

const SOLUTIONS: Record<Category, (display: string) => string> = {
  linux: (d) =>
    `Update the ${d} packages to the version fixed by your distribution and restart affected services.`,
  windows: () => 'Install the latest cumulative update from Microsoft and restart the server.',
  app: (d) => `Upgrade ${d} to a fixed release and redeploy the application.`,
  cms: (d) => `Upgrade ${d} to the latest release or apply the vendor's security patch.`,
};

const PRODUCTS: readonly Product[] = [
  ...LINUX_PACKAGES,
  ...WINDOWS_COMPONENTS,
  ...APP_COMPONENTS,
  ...CMS_PRODUCTS,
];
const PRODUCT_INDEX = new Map(PRODUCTS.map((product, i) => [product, i]));
/** Generated CVEs per product; `cveOf(product, m)` is defined for m below this. */
const CVES_PER_PRODUCT = 40;

let catalogue: CveEntry[] | undefined;
/**
 * The CVE catalogue, the same for every seed and tenant, built on first use:
 * index k < P × CVES_PER_PRODUCT is generated CVE ⌊k/P⌋ of product k mod P,
 * the real emergencies follow.
 */
export function cveCatalogue(): readonly CveEntry[] {
  if (catalogue) return catalogue;
  const used = new Set(EMERGENCIES.map((e) => e.cve));
  const entries: CveEntry[] = [];
  for (let k = 0; k < PRODUCTS.length * CVES_PER_PRODUCT; k++) {
    const product = PRODUCTS[k % PRODUCTS.length]!;
    const h = hashOf(k, 11);
    const year = 2016 + (h % 9);
    let number = 1000 + (hashOf(k, 12) % 48000);
    while (used.has(`CVE-${year}-${number}`)) number++;
    const id = `CVE-${year}-${number}`;
    used.add(id);
    const flaw = pick(
      WEAKNESSES.filter((w) => w.categories.includes(product.category)),
      hashOf(k, 13),
    );
    entries.push({
      id,
      title: `${product.display} ${flaw.title} vulnerability`,
      summary: `${/^[aeiou]/.test(flaw.title) ? 'An' : 'A'} ${flaw.title} flaw was found in ${product.display}. ${flaw.impact}`,
      solution: SOLUTIONS[product.category](product.display),
      score: flaw.score,
      vector: flaw.vector,
      level: vulLevel(flaw.score),
      publishedAt: Date.UTC(year, h % 12, 1 + (hashOf(k, 14) % 28)),
      tags: flaw.tags,
    });
  }
  for (const e of EMERGENCIES) {
    entries.push({
      id: e.cve,
      title: e.title,
      summary: `${e.title}. It is widely exploited; treat exposed hosts as an emergency.`,
      solution: `Upgrade ${e.package} to ${e.fixed || 'the vendor-fixed release'} or apply the official mitigation.`,
      score: e.score,
      vector: `CVSS:3.1/${e.vector}`,
      level: vulLevel(e.score),
      publishedAt: Date.UTC(Number(e.cve.slice(4, 8)), 5, 1),
      tags: e.score >= 8.8 ? ['Exploitable', ...CODE] : ['Exploitable'],
    });
  }
  catalogue = entries;
  return entries;
}
/** Catalogue index of generated CVE m of a product. */
const cveOf = (product: Product, m: number) =>
  PRODUCT_INDEX.get(product)! + PRODUCTS.length * (m % CVES_PER_PRODUCT);
const emergencyIndex = (e: Emergency) => PRODUCTS.length * CVES_PER_PRODUCT + EMERGENCIES.indexOf(e);

// ---- emergencies (real, famous) ------------------------------------------------------

interface Emergency {
  cve: string;
  title: string;
  platform: 'linux' | 'windows' | 'any';
  /** A LINUX_PACKAGES rpm name for Linux packages, else the component or product name. */
  package: string;
  version: string;
  fixed: string;
  score: number;
  vector: string;
}
const NET_CRIT = 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const NET_SCOPE = 'AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H';
const LOCAL = 'AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H';
// prettier-ignore
const EMERGENCIES: readonly Emergency[] = ([
  // CVE, title, platform, package, vulnerable version, fixed version, CVSS 3.1 score and vector
  ['CVE-2021-44228', 'Apache Log4j2 remote code execution vulnerability (Log4Shell)', 'any', 'log4j-core', '2.14.1', '2.17.1', 10, NET_SCOPE],
  ['CVE-2021-45046', 'Apache Log4j2 incomplete fix remote code execution vulnerability', 'any', 'log4j-core', '2.15.0', '2.17.1', 9, 'AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H'],
  ['CVE-2022-22965', 'Spring Framework remote code execution vulnerability (Spring4Shell)', 'any', 'spring-beans', '5.3.17', '5.3.18', 9.8, NET_CRIT],
  ['CVE-2022-22963', 'Spring Cloud Function SpEL injection vulnerability', 'any', 'spring-cloud-function-context', '3.2.2', '3.2.3', 9.8, NET_CRIT],
  ['CVE-2017-5638', 'Apache Struts2 S2-045 remote code execution vulnerability', 'any', 'struts2-core', '2.5.10', '2.5.10.1', 10, NET_SCOPE],
  ['CVE-2022-42889', 'Apache Commons Text remote code execution vulnerability (Text4Shell)', 'any', 'commons-text', '1.9', '1.10.0', 9.8, NET_CRIT],
  ['CVE-2020-1938', 'Apache Tomcat AJP file inclusion vulnerability (Ghostcat)', 'any', 'tomcat-embed-core', '9.0.30', '9.0.31', 9.8, NET_CRIT],
  ['CVE-2023-46604', 'Apache ActiveMQ OpenWire remote code execution vulnerability', 'any', 'activemq-client', '5.15.15', '5.15.16', 9.8, NET_CRIT],
  ['CVE-2022-26134', 'Atlassian Confluence OGNL injection vulnerability', 'linux', 'confluence', '7.18.0', '7.18.1', 9.8, NET_CRIT],
  ['CVE-2024-23897', 'Jenkins CLI arbitrary file read vulnerability', 'any', 'jenkins-core', '2.441', '2.442', 9.8, NET_CRIT],
  ['CVE-2020-14882', 'Oracle WebLogic Server console remote code execution vulnerability', 'any', 'weblogic', '12.2.1.4.0', '', 9.8, NET_CRIT],
  ['CVE-2021-4034', 'Polkit pkexec local privilege escalation vulnerability (PwnKit)', 'linux', 'polkit', '0.115', '0.115-13', 7.8, LOCAL],
  ['CVE-2021-3156', 'Sudo heap-based buffer overflow vulnerability (Baron Samedit)', 'linux', 'sudo', '1.8.29', '1.9.5p2', 7.8, LOCAL],
  ['CVE-2022-0847', 'Linux kernel privilege escalation vulnerability (Dirty Pipe)', 'linux', 'kernel', '5.10.0', '5.10.102', 7.8, LOCAL],
  ['CVE-2016-5195', 'Linux kernel race condition privilege escalation vulnerability (Dirty COW)', 'linux', 'kernel', '3.10.0', '3.10.0-327.36.3', 7, 'AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H'],
  ['CVE-2024-3094', 'XZ Utils liblzma backdoor', 'linux', 'xz-libs', '5.6.0', '5.4.6', 10, NET_SCOPE],
  ['CVE-2024-6387', 'OpenSSH signal handler race remote code execution vulnerability (regreSSHion)', 'linux', 'openssh', '8.9p1', '9.8p1', 8.1, 'AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H'],
  ['CVE-2014-6271', 'GNU Bash remote code execution vulnerability (Shellshock)', 'linux', 'bash', '4.2', '4.3', 9.8, NET_CRIT],
  ['CVE-2014-0160', 'OpenSSL heartbeat information disclosure vulnerability (Heartbleed)', 'linux', 'openssl', '1.0.1f', '1.0.1g', 7.5, 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'],
  ['CVE-2021-41773', 'Apache HTTP Server path traversal vulnerability', 'linux', 'httpd', '2.4.49', '2.4.51', 7.5, 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'],
  ['CVE-2023-4863', 'libwebp heap buffer overflow vulnerability', 'linux', 'libwebp', '1.0.0', '1.3.2', 8.8, 'AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H'],
  ['CVE-2017-0144', 'Windows SMBv1 remote code execution vulnerability (EternalBlue)', 'windows', 'srv.sys', '', '', 8.1, 'AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H'],
  ['CVE-2019-0708', 'Windows Remote Desktop Services remote code execution vulnerability (BlueKeep)', 'windows', 'termdd.sys', '', '', 9.8, NET_CRIT],
  ['CVE-2020-1472', 'Windows Netlogon elevation of privilege vulnerability (Zerologon)', 'windows', 'netlogon.dll', '', '', 10, NET_SCOPE],
  ['CVE-2021-34527', 'Windows Print Spooler remote code execution vulnerability (PrintNightmare)', 'windows', 'spoolsv.exe', '', '', 8.8, 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'],
  ['CVE-2020-0796', 'Windows SMBv3 remote code execution vulnerability (SMBGhost)', 'windows', 'srv2.sys', '', '', 10, NET_SCOPE],
  ['CVE-2022-30190', 'Microsoft Support Diagnostic Tool remote code execution vulnerability (Follina)', 'windows', 'msdt.exe', '', '', 7.8, 'AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H'],
] as const).map(([cve, title, platform, pkgName, version, fixed, score, vector]) => ({
  cve, title, platform, package: pkgName, version, fixed, score, vector,
}));
const EMERGENCIES_FOR = {
  linux: EMERGENCIES.filter((e) => e.platform !== 'windows'),
  windows: EMERGENCIES.filter((e) => e.platform !== 'linux'),
};

// ---- findings ----------------------------------------------------------------------

/** What a vulnerability row shows about its definition (everything but host, status and time). */
export interface Finding {
  name: string;
  aliasName: string;
  /** Catalogue indices of the related CVEs. */
  cves: readonly number[];
  /** The related CVE ids, comma-separated (Sas `Related`). */
  related: string;
  /** The highest CVSS score among the related CVEs (or of the weakness when there is none). */
  score: number;
  /** A comma-separated subset of SEARCH_TAGS. */
  searchTags: string;
  packageName: string;
  packageVersion: string;
  fixedVersion: string;
  path: string;
  updateCmd: string;
}
type Draft = Omit<Finding, 'related' | 'score' | 'searchTags'> & {
  restartRequired: boolean;
  baseScore?: number;
};

const RHSA_SEVERITY = (score: number) =>
  score >= 9 ? 'Critical' : score >= 7 ? 'Important' : score >= 4 ? 'Moderate' : 'Low';

/** How many distinct findings of a type a host of this profile can have. */
export function definitionCount(type: VulType, profile: OsProfile): number {
  const windows = profile.os === 'windows';
  switch (type) {
    case 'cve':
      return windows ? 0 : profile.family === 'rhel' ? 10 * 9999 : 40_000;
    case 'sys':
      return windows ? 1_000_000 : 0;
    case 'cms':
      return CMS_PRODUCTS.length * CMS_WEAKNESSES.length * 9 * 999;
    case 'app':
      return 6 * 365 * 99;
    case 'emg':
      return EMERGENCIES_FOR[profile.os].length;
    case 'sca':
      return APP_COMPONENTS.length * CVES_PER_PRODUCT;
  }
}

/** Definition d (< definitionCount) of a type as seen on a host of this profile. */
export function defineFinding(type: VulType, d: number, profile: OsProfile, application: string): Finding {
  const { restartRequired, baseScore, ...draft } = draftFinding(type, d, profile, application);
  const cves = draft.cves.map((k) => cveCatalogue()[k]!);
  const score = Math.max(baseScore ?? 0, ...cves.map((c) => c.score));
  const tags = new Set<SearchTag>(cves.flatMap((c) => c.tags));
  if (restartRequired) tags.add('Restart required');
  // Some severe findings have a public exploit; it is a property of the advisory, not of the host.
  if (score >= 8.8 && hashOf(d, 7) % 3 === 0) tags.add('Exploitable');
  return {
    ...draft,
    related: cves.map((c) => c.id).join(','),
    score,
    searchTags: SEARCH_TAGS.filter((t) => tags.has(t)).join(','),
  };
}

function draftFinding(type: VulType, d: number, profile: OsProfile, application: string): Draft {
  switch (type) {
    case 'cve':
      return osAdvisory(d, profile);
    case 'sys':
      return windowsUpdate(d, profile);
    case 'cms':
      return cmsFinding(d);
    case 'app':
      return appFinding(d, profile, application);
    case 'emg':
      return emergencyFinding(d, profile, application);
    case 'sca':
      return scaFinding(d, profile, application);
  }
}

function osAdvisory(d: number, profile: OsProfile): Draft {
  const p = pick(LINUX_PACKAGES, hashOf(d, 1));
  const h = hashOf(d, 2);
  const cves = Array.from({ length: 1 + (h % 4) }, (_, r) => cveOf(p, (h >>> 4) + r));
  const release = 1 + (h % 29);
  let name: string, aliasName: string, packageName: string, version: string, fixed: string;
  if (profile.family === 'rhel') {
    const year = 2015 + (d % 10);
    const number = pad(1 + scatter(Math.floor(d / 10), 9999, 7919), 4);
    const score = Math.max(...cves.map((k) => cveCatalogue()[k]!.score));
    name = `oval:com.redhat.rhsa:def:${year}${number}`;
    aliasName = `RHSA-${year}:${number}: ${p.rpm} security update (${RHSA_SEVERITY(score)})`;
    packageName = p.rpm;
    version = `${p.base}-${release}.${profile.release}`;
    fixed = `${p.base}-${release + 1 + (h % 3)}.${profile.release}`;
  } else if (profile.family === 'ubuntu') {
    const number = 3000 + scatter(d % 4000, 4000, 2741);
    name = `USN-${number}-${1 + Math.floor(d / 4000)}`;
    aliasName = `${name}: ${p.display} ${cves.length > 1 ? 'vulnerabilities' : 'vulnerability'}`;
    packageName = p.deb;
    version = `${p.base}-${release}ubuntu0.${profile.release}.${1 + (h % 5)}`;
    fixed = `${p.base}-${release}ubuntu0.${profile.release}.${2 + (h % 5)}`;
  } else {
    const number = 3500 + scatter(d % 2500, 2500, 1531);
    name = `debian:DSA-${number}-${1 + Math.floor(d / 2500)}`;
    aliasName = `DSA-${number}-${1 + Math.floor(d / 2500)} ${p.deb} - security update`;
    packageName = p.deb;
    version = `${p.base}-${release}+deb${profile.release}u${1 + (h % 4)}`;
    fixed = `${p.base}-${release}+deb${profile.release}u${2 + (h % 4)}`;
  }
  return {
    name,
    aliasName,
    cves,
    packageName,
    packageVersion: version,
    fixedVersion: fixed,
    path: '',
    updateCmd: updateCommand(profile, packageName),
    restartRequired: p.restart,
  };
}

function updateCommand(profile: OsProfile, packageName: string): string {
  return profile.family === 'rhel'
    ? `yum update ${packageName}`
    : `apt-get install --only-upgrade ${packageName}`;
}

const WINDOWS_UPDATES = [
  (os: string) => `Cumulative Update for ${os} for x64-based Systems`,
  (os: string) => `Servicing Stack Update for ${os} for x64-based Systems`,
  (os: string) => `Cumulative Update for .NET Framework 3.5, 4.7.2 and 4.8 for ${os} for x64`,
];

function windowsUpdate(d: number, profile: OsProfile): Draft {
  const kb = 4_000_000 + scatter(d, 1_100_000, 7919);
  const h = hashOf(d, 3);
  const year = 2019 + (d % 6);
  const month = pad(1 + (h % 12), 2);
  const build = profile.kernels[0]!;
  const cves = Array.from({ length: 1 + (h % 5) }, (_, r) =>
    cveOf(WINDOWS_COMPONENTS[(h + r) % WINDOWS_COMPONENTS.length]!, (h >>> 8) + r),
  );
  return {
    name: `KB${kb}`,
    aliasName: `${year}-${month} ${pick(WINDOWS_UPDATES, h >>> 3)(profile.release)} (KB${kb})`,
    cves,
    packageName: `KB${kb}`,
    packageVersion: `${build}.${1000 + (h % 4000)}`,
    fixedVersion: `${build}.${5000 + (h % 1000)}`,
    path: '',
    updateCmd: `wusa.exe windows10.0-kb${kb}-x64.msu /quiet /norestart`,
    restartRequired: true,
  };
}

function cmsFinding(d: number): Draft {
  const product = CMS_PRODUCTS[d % CMS_PRODUCTS.length]!;
  const rest = Math.floor(d / CMS_PRODUCTS.length);
  const flaw = CMS_WEAKNESSES[rest % CMS_WEAKNESSES.length]!;
  const serial = Math.floor(rest / CMS_WEAKNESSES.length);
  const year = 2016 + (serial % 9);
  const sequence = pad(1 + Math.floor(serial / 9), 3);
  const h = hashOf(d, 4);
  return {
    name: `${product.slug}:${flaw.slug}:${year}-${sequence}`,
    aliasName: `${product.display} ${flaw.title} in ${pick(CMS_PLACES, h)}`,
    cves: h % 2 === 0 ? [cveOf(product, h >>> 8)] : [],
    packageName: product.slug,
    packageVersion: product.version,
    fixedVersion: product.fixed,
    path: `/data/www/${pick(WEB_SITES, h >>> 4)}`,
    updateCmd: '',
    restartRequired: false,
    baseScore: flaw.score,
  };
}

function componentPath(c: AppComponent, version: string, profile: OsProfile, application: string): string {
  const root = profile.os === 'windows' ? `C:/apps/${application}` : `/opt/${application}`;
  if (c.ecosystem === 'maven') return `${root}/lib/${c.name}-${version}.jar`;
  if (c.ecosystem === 'pypi') return `${root}/venv/lib/python3.8/site-packages/${c.name}`;
  return `${root}/node_modules/${c.name}/package.json`;
}

function componentFinding(name: string, c: AppComponent, k: number, profile: OsProfile, app: string): Draft {
  const cve = cveCatalogue()[k]!;
  return {
    name,
    aliasName: `${cve.title} (${cve.id})`,
    cves: [k],
    packageName: c.name,
    packageVersion: c.version,
    fixedVersion: c.fixed,
    path: componentPath(c, c.version, profile, app),
    updateCmd: '',
    restartRequired: false,
  };
}

function appFinding(d: number, profile: OsProfile, application: string): Draft {
  const year = 2019 + (d % 6);
  const rest = Math.floor(d / 6);
  const day = new Date(Date.UTC(2001, 0, 1 + (rest % 365)));
  const id = `${pad(day.getUTCMonth() + 1, 2)}${pad(day.getUTCDate(), 2)}${pad(1 + Math.floor(rest / 365), 2)}`;
  const c = pick(APP_COMPONENTS, hashOf(d, 5));
  return componentFinding(`SCA:ACSV-${year}-${id}`, c, cveOf(c, hashOf(d, 6)), profile, application);
}

function scaFinding(d: number, profile: OsProfile, application: string): Draft {
  const c = APP_COMPONENTS[d % APP_COMPONENTS.length]!;
  const k = cveOf(c, Math.floor(d / APP_COMPONENTS.length));
  return componentFinding(`sca:${c.name}:${cveCatalogue()[k]!.id}`, c, k, profile, application);
}

function emergencyFinding(d: number, profile: OsProfile, application: string): Draft {
  const e = EMERGENCIES_FOR[profile.os][d]!;
  const linuxPackage = LINUX_PACKAGES.find((p) => p.rpm === e.package);
  const packageName = linuxPackage && profile.family !== 'rhel' ? linuxPackage.deb : e.package;
  const javaComponent = APP_COMPONENTS.find((c) => c.name === e.package);
  return {
    name: `emg:SCA:AVD-${e.cve.slice(4)}`,
    aliasName: e.title,
    cves: [emergencyIndex(e)],
    packageName,
    packageVersion: e.version,
    fixedVersion: e.fixed,
    path: javaComponent ? componentPath(javaComponent, e.version, profile, application) : '',
    updateCmd: linuxPackage ? updateCommand(profile, packageName) : '',
    restartRequired: linuxPackage?.restart ?? profile.os === 'windows',
  };
}
