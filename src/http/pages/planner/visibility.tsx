// The scenario's other loss: not what stops working, but what can no longer be seen. With its
// vantages down, checks below their quorum read unknown; the functions listed here might still
// work — the service just could not tell.
import type { assessSavedScenario } from '../../../core/services/scenarios.js';

type Assessment = Awaited<ReturnType<typeof assessSavedScenario>>;

export function VisibilityImpact(props: { assessment: Assessment; assetName: (key: string) => string }) {
  const { vantagesDown, visibility, functions } = props.assessment;
  const fnByKey = new Map(functions.map((f) => [f.functionKey, f]));
  return (
    <section aria-labelledby="visibility-h" id="visibility">
      <h2 id="visibility-h">Functions that lose visibility ({visibility.functionsUnseen.length})</h2>
      {vantagesDown.length ? (
        <>
          <p>
            This scenario takes down the vantage{vantagesDown.length > 1 ? 's' : ''}{' '}
            <strong>{vantagesDown.join(', ')}</strong> (a site's backhaul cut). Checks left with fewer vantages than their quorum read
            unknown. <strong>For the functions below we could not tell whether they work</strong>: not that they are lost (that is the
            capability above), but that no check left can show enough of their assets to be up.
          </p>
          {visibility.functionsUnseen.length ? (
            <ul class="pl-findings" id="functions-unseen">
              {visibility.functionsUnseen.map((key) => (
                <li data-key={key}>
                  <strong>{fnByKey.get(key)?.name ?? key}</strong> <span class="muted">({fnByKey.get(key)?.tier})</span>: status unknown while the
                  vantages are down
                </li>
              ))}
            </ul>
          ) : (
            <p>✔ Every function can still be seen: enough of its assets keep a check with its quorum.</p>
          )}
          <p id="assets-unseen">
            <strong>Assets no check can still see ({visibility.assetsUnseen.length})</strong>
            {visibility.assetsUnseen.length ? `: ${visibility.assetsUnseen.map(props.assetName).join(', ')}.` : ': none.'}
          </p>
          <p id="checks-blind" class="muted">
            Checks below their quorum ({visibility.checksBlind.length}){visibility.checksBlind.length ? `: ${visibility.checksBlind.join(', ')}.` : ': none.'}
          </p>
        </>
      ) : (
        <p class="muted">This scenario takes no vantage down: everything the checks see now stays in sight.</p>
      )}
    </section>
  );
}
