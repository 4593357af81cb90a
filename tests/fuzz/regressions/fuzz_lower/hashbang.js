#!/usr/bin/env node
output = 1;
