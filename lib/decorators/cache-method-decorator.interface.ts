import { Observable } from 'rxjs';

/** A method the cache can wrap: it must answer asynchronously. */
export type AsyncMethod = (...args: any[]) => Promise<unknown> | Observable<unknown>;

/**
 * Compile-time check that a key function (parameters `A`) can be called with the decorated
 * method's arguments: a key function needing an argument the method lacks, or of another type, fails.
 */
export type KeyFits<M extends AsyncMethod, A extends unknown[]> = ((...args: A) => void) extends (
  ...args: Parameters<M>
) => void
  ? unknown
  : { 'the key function parameters do not match the method parameters': Parameters<M> };

/** The decorator a cache decorator returns: generic over the method so any matching method fits. */
export type CacheMethodDecorator<A extends unknown[]> = <M extends AsyncMethod>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M> & KeyFits<M, A>,
) => void;
