/**
 * Workflows over customer accounts: registration with a unique email, and changing the email.
 *
 * Uniqueness comes from an email marker item (`EMAIL#<email>`) written in the same transaction as
 * the customer, on the condition that it does not exist yet: two registrations with one email can
 * race, and exactly one transaction commits.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../model/entities';
import { customerItem, customerKey, emailMarkerItem, emailMarkerKey, entityOf, normalizeEmail } from '../model/keys';
import { Attr } from '../model/table-design';
import { ConflictError, NotFoundError } from '../shared/errors';
import { requestTokenOf } from '../shared/ids';
import { documents, tableName } from './client';
import { rethrowOverload } from './errors';
import { TransactionCancelled, transactWrite } from './transactions';

export interface Registration {
  readonly email: string;
  readonly name: string;
  readonly marketingOptIn: boolean;
}

/** DynamoDB's answer to a transaction retried with its token but other parameters. */
const isParameterMismatch = (error: unknown) =>
  error instanceof Error && error.name === 'IdempotentParameterMismatchException';

/** Whether a stored profile is the one this registration would have written. */
const sameRegistration = (stored: Customer, wanted: Customer) =>
  stored.email === wanted.email && stored.name === wanted.name && stored.marketingOptIn === wanted.marketingOptIn;

/**
 * Register a customer under the signed-in shopper's id: the customer and the email marker, each
 * only if absent, in one transaction.
 *
 * A retry of a registration that committed (the first attempt died before its answer was stored)
 * gets the profile it wrote: a failed condition or DynamoDB's token mismatch is answered by
 * reading the profile back.
 *
 * @throws ConflictError when the email belongs to another customer, or this shopper has
 *   registered already with other details
 */
export async function registerCustomer(
  customerId: string,
  registration: Registration,
  requestToken: string,
): Promise<Customer> {
  const customer: Customer = {
    customerId,
    email: normalizeEmail(registration.email),
    name: registration.name,
    marketingOptIn: registration.marketingOptIn,
    orderCount: 0,
    lifetimeValueCents: 0,
    createdAt: new Date().toISOString(),
    version: 1,
  };
  const absent = { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': Attr.pk } };
  try {
    await transactWrite(
      [
        { Put: { TableName: tableName, Item: customerItem(customer), ...absent } },
        {
          Put: {
            TableName: tableName,
            Item: emailMarkerItem({ email: customer.email, customerId: customer.customerId }),
            ...absent,
          },
        },
      ],
      requestToken,
    );
  } catch (error) {
    const profileExists = error instanceof TransactionCancelled && error.failedConditions().includes(0);
    if (profileExists || isParameterMismatch(error)) {
      const { Item } = await documents
        .send(new GetCommand({ TableName: tableName, Key: customerKey(customerId), ConsistentRead: true }))
        .catch(rethrowOverload);
      const stored = Item === undefined ? undefined : entityOf<Customer>(Item);
      if (stored !== undefined && sameRegistration(stored, customer)) return stored;
      if (stored !== undefined) {
        throw new ConflictError(
          'This shopper is registered already; change the profile instead',
          { reason: 'AlreadyRegistered', customerId },
          { cause: error },
        );
      }
    }
    if (error instanceof TransactionCancelled && error.failedConditions().includes(1)) {
      throw new ConflictError(
        'This email address is already registered',
        { field: 'email', reason: 'EmailTaken' },
        { cause: error },
      );
    }
    throw error;
  }
  return customer;
}

/**
 * Change a customer's email: update the customer, delete the old marker and claim the new one, in
 * one transaction; the customer's version guards against a concurrent change.
 *
 * @throws NotFoundError when the customer does not exist
 * @throws ConflictError when the new email is taken, or the customer changed meanwhile
 */
export async function changeCustomerEmail(customerId: string, newEmail: string): Promise<Customer> {
  const { Item } = await documents
    .send(new GetCommand({ TableName: tableName, Key: customerKey(customerId), ConsistentRead: true }))
    .catch(rethrowOverload);
  if (Item === undefined) throw new NotFoundError('Customer', customerId);
  const current = entityOf<Customer>(Item);
  const email = normalizeEmail(newEmail);
  if (email === current.email) return current;

  const updated: Customer = { ...current, email, version: current.version + 1 };
  try {
    await transactWrite(
      [
        {
          Update: {
            TableName: tableName,
            Key: customerKey(customerId),
            UpdateExpression: 'SET #email = :email, #version = :next',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#email': 'email', '#version': 'version' },
            ExpressionAttributeValues: { ':email': email, ':version': current.version, ':next': updated.version },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: emailMarkerKey(current.email),
            ConditionExpression: '#customer = :customer',
            ExpressionAttributeNames: { '#customer': 'customerId' },
            ExpressionAttributeValues: { ':customer': customerId },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: emailMarkerItem({ email, customerId }),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': Attr.pk },
          },
        },
      ],
      requestTokenOf('changeCustomerEmail', customerId, email, String(current.version)),
    );
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedConditions().includes(2)) {
      throw new ConflictError(
        'This email address is already registered',
        { field: 'email', reason: 'EmailTaken' },
        { cause: error },
      );
    }
    throw new ConflictError(
      'The customer changed at the same time; read it and try again',
      { reason: 'ConcurrentChange' },
      { cause: error },
    );
  }
  return updated;
}
