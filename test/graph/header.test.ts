// The fast header reader must agree with the full parser on everything the
// graph needs, or step aside (null). It must not step aside on the plain
// files makemigrations writes, or it would save nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrationModuleRef } from '../../src/graph/discover.js'
import { readMigrationHeader } from '../../src/graph/header.js'
import { parseMigration } from '../../src/graph/parse.js'
import { migrationSource } from '../support/django-project.js'
import { REPO_ROOT } from '../support/python-envs.js'
import { GRAPH_FIXTURES } from './fixtures.js'

const graphPart = (file: ReturnType<typeof parseMigration>) => ({
  line: file.line,
  dependencies: file.dependencies,
  replaces: file.replaces,
  runBefore: file.runBefore,
  initial: file.initial,
  atomic: file.atomic
})

function agree(path: string, source: string): 'fast' | 'fallback' {
  const ref = migrationModuleRef(path)!
  const header = readMigrationHeader(source, path, ref)
  if (header === null) return 'fallback'
  const full = parseMigration(source, path)
  expect(full.dynamic.filter((part) => part.attribute !== 'operations'), path).toEqual([])
  expect(graphPart(header), path).toEqual(graphPart(full))
  expect(header.operationsRead).toBe(false)
  return 'fast'
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

describe('the fast header reader', () => {
  it('agrees with the full parser on every fixture and the bundled example, and reads them fast', () => {
    const sources: Array<[string, string]> = []
    for (const fixture of GRAPH_FIXTURES.filter((f) => !f.beyondHeader)) {
      for (const [path, source] of Object.entries(fixture.files)) if (migrationModuleRef(path) && typeof source === 'string') sources.push([path, source])
    }
    const example = join(REPO_ROOT, 'examples/bookshop')
    for (const path of filesUnder(example)) if (migrationModuleRef(path)) sources.push([relative(example, path), readFileSync(path, 'utf8')])
    const outcomes = sources.filter(([path]) => !path.includes('broken') && !path.includes('~')).map(([path, source]) => agree(path, source))
    expect(outcomes.length).toBeGreaterThan(40)
    expect(outcomes.filter((outcome) => outcome === 'fast').length).toBe(outcomes.length)
  })

  const tricky: Record<string, string> = {
    'a commented-out dependency': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [\n        # ("shop", "0009_old"),\n        ("shop", "0001_initial"),  # keep\n    ]\n',
    'escapes and quotes in names': `from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [('shop', '0001_it\\'s'), ("shop", r"0002_raw\\d")]\n`,
    'a triple-quoted docstring that looks like code': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    """dependencies = [("x", "y")]"""\n    dependencies = [("shop", "0001_initial")]\n',
    'a dependency list that is computed': 'from django.db import migrations\nEXTRA = []\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")] + EXTRA\n',
    'an annotated assignment': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies: list = [("shop", "0001_initial")]\n',
    'a conditional dependency': 'from django.conf import settings\nfrom django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = []\n    if settings.DEBUG:\n        dependencies = [("shop", "0001_initial")]\n',
    'dependencies assigned twice': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_a")]\n    dependencies = [("shop", "0001_b")]\n',
    'two Migration classes': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_a")]\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_b")]\n',
    'a decorated class': 'from django.db import migrations\nimport functools\n\n@functools.total_ordering\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_a")]\n',
    'a line continuation and a tuple of tuples': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    initial = \\\n        True\n    dependencies = (("shop", "0001_a"), ("library", "__first__"),)\n    atomic = False\n',
    'a swappable dependency and run_before': migrationSource({ dependencies: ['swappable:AUTH_USER_MODEL', ['shop', '0001_initial']], runBefore: [['library', '0001_initial']], replaces: [['shop', '0002_a']] }),
    'CRLF line endings and a BOM': '\ufefffrom django.db import migrations\r\n\r\nclass Migration(migrations.Migration):\r\n    dependencies = [\r\n        ("shop", "0001_initial"),\r\n    ]\r\n',
    'a one-line class body': 'from django.db import migrations\n\nclass Migration(migrations.Migration): dependencies = [("shop", "0001_a")]\n',
    'Migration imported from elsewhere': 'from .base import Migration\n',
    'implicit string concatenation': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_" "initial")]\n',
    'dependencies that are a module-level constant': 'from django.db import migrations\nDEPS = [("shop", "0001_initial")]\n\nclass Migration(migrations.Migration):\n    dependencies = DEPS\n',
    'a sum of a constant and a list': 'from django.db import migrations\nDEPS = [("shop", "0001_initial")]\n\nclass Migration(migrations.Migration):\n    dependencies = DEPS + [("auth", "0012_x")]\n',
    'a pair named by string constants': 'from django.db import migrations\nAPP = "shop"\n\nclass Migration(migrations.Migration):\n    dependencies = [(APP, "0001_initial")]\n    replaces = [(APP, "0000_old")]\n',
    'a list of constants unpacked and wrapped': 'from django.db import migrations\nDEP = ("shop", "0001_initial")\n\nclass Migration(migrations.Migration):\n    dependencies = tuple([*[DEP]])\n    run_before = list((DEP,))\n'
  }
  for (const [name, source] of Object.entries(tricky)) {
    it(`agrees or steps aside on ${name}`, () => {
      agree('shop/migrations/0002_x.py', source)
    })
  }

  it('steps aside on the fixtures written with constants, which the full parser reads', () => {
    for (const fixture of GRAPH_FIXTURES.filter((f) => f.beyondHeader)) {
      for (const [path, source] of Object.entries(fixture.files)) {
        if (!migrationModuleRef(path) || typeof source !== 'string') continue
        agree(path, source)
      }
    }
  })

  it('reads a generated corpus of 500 files exactly like the full parser', () => {
    let fast = 0
    for (let i = 0; i < 500; i++) {
      const spec = {
        initial: i % 7 === 0,
        atomic: i % 11 === 0 ? false : undefined,
        dependencies: Array.from({ length: i % 4 }, (_, d): [string, string] => [`app${(i + d) % 5}`, `${String(d).padStart(4, '0')}_m${i}`]),
        replaces: i % 13 === 0 ? [['app1', '0001_x'] as [string, string]] : undefined,
        runBefore: i % 17 === 0 ? [['app2', '0002_y'] as [string, string]] : undefined,
        operations: [`migrations.AddField(model_name="m", name="f${i}", field=models.TextField(null=True))`]
      }
      const source = migrationSource({ ...spec, ...(spec.atomic === false ? { atomic: false } : {}) }).replace(/^/, i % 3 === 0 ? '# generated\n' : '')
      if (agree(`app${i % 5}/migrations/${String(i).padStart(4, '0')}_m.py`, source) === 'fast') fast++
    }
    expect(fast).toBe(500)
  })
})

describe('the fast header reader skipping operations', () => {
  it('is not fooled by brackets, quotes and a class inside strings and comments of operations', () => {
    const source = [
      'from django.db import migrations',
      '',
      'class Migration(migrations.Migration):',
      '    operations = [',
      `        migrations.RunSQL("SELECT '[(' -- ]", reverse_sql="""`,
      "]) class Migration: dependencies = [('x', 'y')]",
      '"""),  # ] )',
      '    ]',
      '    dependencies = [("shop", "0001_initial")]',
      '    atomic = False',
      ''
    ].join('\n')
    const header = readMigrationHeader(source, 'shop/migrations/0002_x.py', { app: 'shop', name: '0002_x' })
    expect(header).not.toBeNull()
    expect(header!.dependencies).toEqual([{ kind: 'migration', app: 'shop', name: '0001_initial', line: 9 }])
    expect(header!.atomic).toBe(false)
    expect(header!.line).toBe(3)
  })
})
