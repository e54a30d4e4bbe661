#!/usr/bin/env node
/**
 * The composition root: the only place that reads context.
 *
 * A bad context value stops synthesis with one readable message and exit code 1, not a stack trace.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS, ConfigError, parseConfig, type RawConfig } from '../lib/config';
import { addStoreStacks } from '../lib/store-stacks';

const app = new App();
const raw: RawConfig = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)]));

try {
  const config = parseConfig(raw, {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  });
  addStoreStacks(app, config);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Acknowledgements are written into the template too, so an auditor sees each one with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
