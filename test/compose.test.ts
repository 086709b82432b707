import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs here: the compose file is checked as a file.
const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const services = compose.services as Record<string, any>;

describe('docker-compose.yml', () => {
  test('when parsed, then it has every service the stack needs', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'redis',
        'temporal',
        'temporal-ui',
        'api',
        'worker',
        'prometheus',
        'grafana',
        'mail',
      ]),
    );
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal.environment.DB).toMatch(/^postgres/);
  });

  test('when depends_on names a service, then that service exists', () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(`${name} -> ${dep}: ${Boolean(services[dep])}`).toBe(`${name} -> ${dep}: true`);
    }
  });

  test('when the README names a port of the Docker stack, then compose publishes it', () => {
    const section = readme.slice(readme.indexOf('## Running with Docker'));
    const mentioned = [...section.matchAll(/localhost:(\d+)|\((\d{4,5})\)|SMTP (\d+)|on (\d{4})/g)].map((m) =>
      m.slice(1).find(Boolean),
    );
    // A host port range (a scaled service) publishes its first port too.
    const published = Object.values(services).flatMap((s) =>
      (s.ports ?? []).flatMap((p: string) => {
        const host = String(p).split(':')[0];
        return [host, host.split('-')[0]];
      }),
    );
    expect(mentioned.length).toBeGreaterThan(5);
    for (const port of mentioned) expect(published).toContain(port);
  });

  test('when the README lists a configuration variable used by the app, then the app services set it', () => {
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
    const variables = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(variables).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'JWT_SECRET']),
    );
    const notInCompose = ['TEMPORAL_UI_PORT']; // the dev server's UI port; compose publishes temporal-ui instead
    for (const v of variables.filter((name) => !notInCompose.includes(name))) {
      const setSomewhere = ['api', 'worker'].some(
        (s) => services[s].environment?.[v] !== undefined || services[s].environment?.['<<']?.[v] !== undefined,
      );
      expect(`${v}: ${setSomewhere}`).toBe(`${v}: true`);
    }
  });

  test('when a service builds or mounts files, then they are in the repo', () => {
    expect(existsSync(join(root, 'Dockerfile'))).toBe(true);
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0];
        if (source.startsWith('./')) expect(existsSync(join(root, source))).toBe(true);
      }
    }
    const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/dashboards/roombook.json'), 'utf8'));
    expect(dashboard.panels.map((p: { title: string }) => p.title).join(' ')).toMatch(
      /Request rate.*latency.*Workflow task latency.*Bookings by outcome/s,
    );
  });

  test('when Grafana starts, then a Postgres data source feeds the insights dashboard', () => {
    const sources = parse(readFileSync(join(root, 'deploy/grafana/provisioning/datasources/postgres.yml'), 'utf8'));
    const postgres = sources.datasources.find((d: { uid: string }) => d.uid === 'roombook-postgres');
    expect(postgres.type).toBe('grafana-postgresql-datasource');
    expect(postgres.url).toBe('postgres:5432');
    expect(services.grafana.depends_on).toContain('postgres');
    const insights = JSON.parse(readFileSync(join(root, 'deploy/grafana/dashboards/insights.json'), 'utf8'));
    expect(insights.panels.map((p: { title: string }) => p.title).join(' ')).toMatch(
      /Ghost rate.*Booked and used hours.*Released hours.*Late cancellations.*Worst ghost rates/s,
    );
    for (const panel of insights.panels) {
      expect(panel.datasource.uid).toBe('roombook-postgres');
      expect(panel.targets[0].rawSql).toMatch(/^SELECT /);
    }
  });
});
