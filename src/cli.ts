#!/usr/bin/env node
console.log('django-migration-review')
