// Django projects and migration files as text, for tests: the same sources
// our parser reads and Django itself imports.

export interface MigrationSpec {
  dependencies?: Array<[string, string] | 'swappable:AUTH_USER_MODEL'>
  /** Python source of each operation, e.g. `migrations.AddField("book", "title", models.TextField(null=True))`. */
  operations?: string[]
  replaces?: Array<[string, string]>
  runBefore?: Array<[string, string]>
  initial?: boolean
  atomic?: boolean
  /** Module-level Python placed before the class (helpers for RunPython). */
  preamble?: string
}

export function migrationSource(spec: MigrationSpec = {}): string {
  const lines = ['from django.conf import settings', 'from django.db import migrations, models', '']
  if (spec.preamble) lines.push(spec.preamble.trim(), '')
  lines.push('', 'class Migration(migrations.Migration):')
  if (spec.initial) lines.push('    initial = True', '')
  if (spec.atomic === false) lines.push('    atomic = False', '')
  if (spec.replaces) {
    lines.push('    replaces = [')
    for (const [app, name] of spec.replaces) lines.push(`        ("${app}", "${name}"),`)
    lines.push('    ]', '')
  }
  lines.push('    dependencies = [')
  for (const dependency of spec.dependencies ?? []) {
    if (dependency === 'swappable:AUTH_USER_MODEL') lines.push('        migrations.swappable_dependency(settings.AUTH_USER_MODEL),')
    else lines.push(`        ("${dependency[0]}", "${dependency[1]}"),`)
  }
  lines.push('    ]', '')
  if (spec.runBefore) {
    lines.push('    run_before = [')
    for (const [app, name] of spec.runBefore) lines.push(`        ("${app}", "${name}"),`)
    lines.push('    ]', '')
  }
  lines.push('    operations = [')
  for (const operation of spec.operations ?? []) lines.push(`        ${operation},`)
  lines.push('    ]', '')
  return lines.join('\n')
}

/** `CreateModel` for a model with an id and the given fields (Python source). */
export function createModel(name: string, fields: Record<string, string> = {}): string {
  const body = [`("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))`]
  for (const [field, definition] of Object.entries(fields)) body.push(`("${field}", ${definition})`)
  return `migrations.CreateModel(name="${name}", fields=[${body.join(', ')}])`
}

/** The files of an app package with its migrations (paths relative to the project root). */
export function appFiles(app: string, migrations: Record<string, string>, models = ''): Record<string, string> {
  const files: Record<string, string> = {
    [`${app}/__init__.py`]: '',
    [`${app}/models.py`]: `from django.db import models\n${models}`,
    [`${app}/migrations/__init__.py`]: ''
  }
  for (const [name, source] of Object.entries(migrations)) files[`${app}/migrations/${name}.py`] = source
  return files
}

/** A minimal settings module and manage.py for the given apps. */
export function projectFiles(apps: string[], options: { contrib?: boolean; settings?: string } = {}): Record<string, string> {
  const installed = [
    ...(options.contrib ? ['django.contrib.contenttypes', 'django.contrib.auth'] : []),
    ...apps
  ]
  return {
    'manage.py': [
      '#!/usr/bin/env python',
      'import os, sys',
      'if __name__ == "__main__":',
      '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")',
      '    from django.core.management import execute_from_command_line',
      '    execute_from_command_line(sys.argv)',
      ''
    ].join('\n'),
    'project/__init__.py': '',
    'project/settings.py': [
      'SECRET_KEY = "test"',
      `INSTALLED_APPS = ${JSON.stringify(installed)}`,
      'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "unused"}}',
      'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
      'USE_TZ = True',
      options.settings ?? '',
      ''
    ].join('\n')
  }
}
