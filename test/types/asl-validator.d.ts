/**
 * asl-validator 4.0.0 ships without type declarations; these cover what the tests use (its
 * `dist/src/validator.js`).
 */
declare module 'asl-validator' {
  interface AslValidationError {
    readonly 'Error code': string;
    readonly Message: string;
  }

  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly AslValidationError[];
    errorsText(separator?: string): string;
  }

  interface AslValidatorOptions {
    /** Check JSONPath and reference-path syntax. @default true */
    readonly checkPaths?: boolean;
    /** Check that Task resources are well-formed ARNs. @default true */
    readonly checkArn?: boolean;
  }

  function validator(definition: object, options?: AslValidatorOptions): AslValidationResult;
  export = validator;
}
