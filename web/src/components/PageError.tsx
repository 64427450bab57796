import type { CombinedError } from 'urql';
import { describeError } from '../errors';
import { PageHeading } from '../router';

/** A page whose data could not be loaded: a heading, the reason in words, and a way to retry. */
export function PageError({ error }: { error?: CombinedError }) {
  const sentences = describeError(error).general;
  return (
    <section className="empty-state">
      <PageHeading>This page could not be loaded</PageHeading>
      <div role="alert">
        {(sentences.length > 0 ? sentences : ['Something went wrong on our side. Please try again in a moment.']).map(
          (sentence) => (
            <p key={sentence}>{sentence}</p>
          ),
        )}
      </div>
      <p>
        <button type="button" onClick={() => window.location.reload()}>
          Try again
        </button>
      </p>
    </section>
  );
}
