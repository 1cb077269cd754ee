/**
 * Values for the schema fields the sandbox does not model. @linear/sdk's generated documents ask for
 * dozens of fields per type; a nullable field answers null, a non-null one a neutral value of its
 * type (0, "", false, [], the first enum value, an empty object whose own fields default the same
 * way), so any document that validates against Linear's schema can be executed.
 */
import {
  getNullableType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

const EPOCH = '1970-01-01T00:00:00.000Z';
const ZERO_UUID = '00000000-0000-4000-8000-000000000000';

export function defaultFor(type: GraphQLOutputType, schema: GraphQLSchema): unknown {
  if (!isNonNullType(type)) return null;
  const inner = getNullableType(type);
  if (isListType(inner)) return [];
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'String':
        return '';
      case 'ID':
      case 'UUID':
        return ZERO_UUID;
      case 'Int':
      case 'Float':
        return 0;
      case 'Boolean':
        return false;
      case 'DateTime':
      case 'DateTimeOrDuration':
        return EPOCH;
      case 'TimelessDate':
      case 'TimelessDateOrDuration':
        return '1970-01-01';
      case 'JSON':
      case 'JSONObject':
        return {};
      default:
        return '';
    }
  }
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isObjectType(inner)) return { __typename: inner.name };
  if (isAbstractType(inner)) {
    const first = schema.getPossibleTypes(inner)[0];
    return first ? { __typename: first.name } : null;
  }
  return null;
}
