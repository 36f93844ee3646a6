// Generates Django projects with many migrations, for the benchmarks.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const FIELD_TYPES = [
  'models.CharField(max_length=120, null=True)',
  'models.IntegerField(null=True)',
  'models.TextField(blank=True, default="")',
  'models.BooleanField(default=False)',
  'models.DateTimeField(null=True)',
  'models.DecimalField(max_digits=10, decimal_places=2, null=True)'
]

function write(root, path, content) {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), content)
}

function migration({ dependencies, operations, initial = false }) {
  return [
    'from django.db import migrations, models',
    '',
    '',
    'class Migration(migrations.Migration):',
    ...(initial ? ['    initial = True', ''] : []),
    '    dependencies = [',
    ...dependencies.map(([app, name]) => `        ("${app}", "${name}"),`),
    '    ]',
    '',
    '    operations = [',
    ...operations.map((op) => `        ${op},`),
    '    ]',
    ''
  ].join('\n')
}

/**
 * A project of `apps` apps with `perApp` migrations each: CreateModel first,
 * then AddField/AlterField steps, with a cross-app dependency every so often.
 * `merges` (spread over the apps) turns a step into two parallel branches and
 * a merge migration joining them, as `makemigrations --merge` writes it; the
 * count of migrations per app stays `perApp`.
 * Returns { apps, leaves: Map app -> last migration name, files }.
 */
export function generateProject(root, { apps = 50, perApp = 40, models = 1, merges = 0, git = true } = {}) {
  const labels = Array.from({ length: apps }, (_, i) => `app${String(i).padStart(2, '0')}`)
  const leaves = new Map()
  const fieldsOf = new Map()
  write(root, 'manage.py', 'import os, sys\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n')
  write(root, 'project/__init__.py', '')
  write(
    root,
    'project/settings.py',
    `SECRET_KEY = "bench"\nINSTALLED_APPS = ${JSON.stringify(labels)}\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "bench"}}\nDEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\nUSE_TZ = True\n`
  )
  // Which apps get how many merges: round robin.
  const mergesOf = labels.map((_, a) => Math.floor(merges / apps) + (a < merges % apps ? 1 : 0))
  labels.forEach((app, a) => {
    write(root, `${app}/__init__.py`, '')
    write(root, `${app}/migrations/__init__.py`, '')
    const modelNames = Array.from({ length: models }, (_, m) => `Thing${m}`)
    const fields = modelNames.map(() => [])
    // Merge points: a branch pair at n and n+1, the merge at n+2, spaced out over 3..perApp.
    const mergeAt = new Set()
    const wanted = Math.min(mergesOf[a], Math.floor((perApp - 2) / 3))
    for (let k = 0; k < wanted; k++) mergeAt.add(3 + Math.floor((k * (perApp - 4)) / Math.max(wanted, 1)) - (Math.floor((k * (perApp - 4)) / Math.max(wanted, 1)) % 3))
    const stepOperations = (n) => {
      const m = n % models
      const field = `f${n}`
      const type = FIELD_TYPES[n % FIELD_TYPES.length]
      if (n % 7 === 0 && fields[m].length > 1) {
        return [`migrations.AlterField(model_name="${modelNames[m].toLowerCase()}", name="${fields[m][0][0]}", field=${fields[m][0][1]})`]
      }
      // Only a field a migration adds is in models.py: the autodetector finds nothing missing.
      fields[m].push([field, type])
      return [`migrations.AddField(model_name="${modelNames[m].toLowerCase()}", name="${field}", field=${type})`]
    }
    let previous = null
    for (let n = 1; n <= perApp; n++) {
      const number = String(n).padStart(4, '0')
      const crossApp = a > 0 && n % 10 === 0 ? [[labels[a - 1], '0001_initial']] : []
      if (n === 1) {
        const operations = modelNames.map(
          (model) =>
            `migrations.CreateModel(name="${model}", fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")), ("name", models.CharField(max_length=100))])`
        )
        write(root, `${app}/migrations/0001_initial.py`, migration({ dependencies: [], operations, initial: true }))
        previous = '0001_initial'
        continue
      }
      if (mergeAt.has(n) && n + 2 <= perApp) {
        const left = `${number}_branch_a`
        const right = `${String(n + 1).padStart(4, '0')}_branch_b`
        write(root, `${app}/migrations/${left}.py`, migration({ dependencies: [[app, previous], ...crossApp], operations: stepOperations(n) }))
        write(root, `${app}/migrations/${right}.py`, migration({ dependencies: [[app, previous]], operations: stepOperations(n + 1) }))
        const merge = `${String(n + 2).padStart(4, '0')}_merge`
        write(root, `${app}/migrations/${merge}.py`, migration({ dependencies: [[app, left], [app, right]], operations: [] }))
        previous = merge
        n += 2
        continue
      }
      const name = `${number}_step_${n}`
      write(root, `${app}/migrations/${name}.py`, migration({ dependencies: [[app, previous], ...crossApp], operations: stepOperations(n) }))
      previous = name
    }
    leaves.set(app, previous)
    fieldsOf.set(app, { modelNames, fields })
    const modelSource = modelNames
      .map((model, m) => `class ${model}(models.Model):\n    name = models.CharField(max_length=100)\n${fields[m].map(([f, t]) => `    ${f} = ${t}\n`).join('')}`)
      .join('\n')
    write(root, `${app}/models.py`, `from django.db import models\n\n${modelSource}`)
  })
  if (git) {
    const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@example.invalid' }
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root })
    execFileSync('git', ['add', '-A'], { cwd: root })
    execFileSync('git', ['commit', '-q', '-m', 'base'], { cwd: root, env })
  }
  return { apps: labels, leaves, fieldsOf, migration, write: (path, content) => write(root, path, content) }
}

/** Packs the objects as a clone (what CI checks out) has them, instead of one loose file per object. */
export function packLikeAClone(root) {
  execFileSync('git', ['gc', '-q', '--prune=now'], { cwd: root })
}

export function commit(root, message) {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@example.invalid' }
  execFileSync('git', ['add', '-A'], { cwd: root })
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: root, env })
}
