// The production recipe under test: deploy/nginx/vsphere-console.conf, filled in and run
// by Debian's nginx on loopback with TLS from a CA this file makes, which the test
// browser trusts through its own NSS store. Stand-ins for vCenter and an ESXi host are
// TLS servers (nginx too, with certificates from the same CA) in front of the lab.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./servers.mjs";

const REPO = new URL("../../", import.meta.url).pathname;

/** The names the certificates cover: the portal, the stand-in vCenter and ESXi host. */
export const NAMES = { portal: "localhost", vcenter: "vc.vsc.test", esxi: "esx01.vsc.test" };

/**
 * A root CA, two intermediate CAs under it (an enterprise CA and VMCA beneath it, as
 * vSphere sites often chain them), and one server certificate for every name issued by
 * the lower one and served with both: the recipe must accept such a chain. Returns the
 * paths.
 */
export function makeCertificates(dir) {
  const ssl = (...args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=vsphere-console test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout", "ca.key", "-out", "ca.pem");
  writeFileSync(join(dir, "intermediate.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  let issuer = "ca";
  for (const name of ["enterprise-ca", "vmca"]) {
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=vsphere-console test ${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`);
    ssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${issuer}.pem`, "-CAkey", `${issuer}.key`, "-CAcreateserial", "-days", "2",
      "-extfile", "intermediate.ext", "-out", `${name}.pem`);
    issuer = name;
  }
  writeFileSync(join(dir, "server.ext"), [
    "basicConstraints=CA:FALSE", "keyUsage=digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth",
    `subjectAltName=DNS:${NAMES.portal},IP:127.0.0.1,DNS:${NAMES.vcenter},DNS:${NAMES.esxi},DNS:esx02.vsc.test`,
  ].join("\n"));
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
  ssl("x509", "-req", "-in", "server.csr", "-CA", "vmca.pem", "-CAkey", "vmca.key", "-CAcreateserial", "-days", "2",
    "-extfile", "server.ext", "-out", "server-only.pem");
  const chain = ["server-only.pem", "vmca.pem", "enterprise-ca.pem"].map((f) => readFileSync(join(dir, f), "utf8")).join("");
  writeFileSync(join(dir, "server.pem"), chain);
  return { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
}

/** A HOME whose NSS store trusts the test CA: Chromium on Linux reads $HOME/.pki/nssdb. */
export function browserHomeTrusting(ca) {
  const home = mkdtempSync(join(tmpdir(), "vsc-browser-home-"));
  const db = join(home, ".pki/nssdb");
  mkdirSync(db, { recursive: true });
  execFileSync("certutil", ["-d", `sql:${db}`, "-N", "--empty-password"]);
  execFileSync("certutil", ["-d", `sql:${db}`, "-A", "-t", "C,,", "-n", "vsphere-console-test-ca", "-i", ca]);
  return home;
}

/** Fills ${NAME} placeholders; an unknown one is an error, not an empty string. */
export function render(template, values) {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, k) => {
    if (!(k in values)) throw new Error(`deploy/nginx: no value for \${${k}}`);
    return values[k];
  });
}

/**
 * Starts nginx with the repository's recipe in front of `labPort`; `root` is the site's
 * folder. Resolves to { origin, esxPort, stop, errorLog }.
 */
export async function startNginx({ root, labPort, certs }) {
  const dir = mkdtempSync(join(tmpdir(), "vsc-nginx-"));
  for (const t of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, "tmp", t), { recursive: true });
  const [port, vcPort, esxPort, downPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const esxHosts = join(dir, "esxi-hosts.map");
  // esx02 is in the map, but nothing listens at its address: an ESXi host that is down.
  writeFileSync(esxHosts, `${NAMES.esxi}:${esxPort} 127.0.0.1:${esxPort};\nesx02.vsc.test:${downPort} 127.0.0.1:${downPort};\n`);
  const site = render(readFileSync(join(REPO, "deploy/nginx/vsphere-console.conf"), "utf8"), {
    LISTEN: `127.0.0.1:${port}`, SERVER_NAME: NAMES.portal, TLS_CERTIFICATE: certs.cert, TLS_KEY: certs.key,
    APP_ROOT: root, VCENTER_ADDRESS: `127.0.0.1:${vcPort}`, VCENTER_NAME: NAMES.vcenter, UPSTREAM_CA: certs.ca,
    ESXI_HOSTS: esxHosts,
  });
  writeFileSync(join(dir, "vsphere-console.conf"), site);
  // A front stands in for a TLS server (vCenter, ESXi) and passes everything to the lab.
  const front = (listen, name) => `
    server {
      listen 127.0.0.1:${listen} ssl;
      server_name ${name};
      ssl_certificate ${certs.cert};
      ssl_certificate_key ${certs.key};
      access_log ${dir}/front.log vsc_front;
      location / {
        proxy_pass http://127.0.0.1:${labPort};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 1h;
      }
    }`;
  const main = `
    daemon off;
    worker_processes 1;
    pid ${dir}/nginx.pid;
    error_log ${dir}/error.log warn;
    ${process.getuid?.() === 0 ? "user root;" : ""}
    events { worker_connections 256; }
    http {
      include /etc/nginx/mime.types;
      default_type application/octet-stream;
      access_log ${dir}/access.log;
      client_body_temp_path ${dir}/tmp/body;
      proxy_temp_path ${dir}/tmp/proxy;
      fastcgi_temp_path ${dir}/tmp/fastcgi;
      uwsgi_temp_path ${dir}/tmp/uwsgi;
      scgi_temp_path ${dir}/tmp/scgi;
      map $http_upgrade $connection_upgrade { default upgrade; "" close; }
      # What the stand-ins for vCenter and ESXi receive: the headers the recipe passed on.
      log_format vsc_front '$host $uri cookie=[$http_cookie] authorization=[$http_authorization]';
      include ${dir}/vsphere-console.conf;
      ${front(vcPort, NAMES.vcenter)}
      ${front(esxPort, NAMES.esxi)}
    }`;
  writeFileSync(join(dir, "nginx.conf"), main);
  execFileSync("nginx", ["-t", "-q", "-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "ignore", "inherit"] });
  const origin = `https://${NAMES.portal}:${port}`;
  const end = Date.now() + 10000;
  for (;;) {
    try {
      execFileSync("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-brief"], { input: "", stdio: ["pipe", "ignore", "ignore"], timeout: 2000 });
      break;
    } catch {
      if (Date.now() > end) throw new Error("nginx did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    origin, port, esxPort, downPort, dir,
    frontLog: () => { try { return readFileSync(join(dir, "front.log"), "utf8"); } catch { return ""; } },
    errorLog: () => { try { return readFileSync(join(dir, "error.log"), "utf8"); } catch { return ""; } },
    accessLog: () => { try { return readFileSync(join(dir, "access.log"), "utf8"); } catch { return ""; } },
    stop: () => child.kill("SIGTERM"),
  };
}
