// One Idempotency-Key per application being filled in: every try of a form sends the same key,
// so a try the system did finish (its answer lost, or late) is answered with the application it
// made instead of making a second one; once it was accepted, the next application gets a new key.
// ``renew()`` gives a new key by hand: a form started afresh (the desk's "new application").
export function keyedOnce(post) {
  let key = newKey();
  const send = async (body) => {
    const answer = await post(body, { "Idempotency-Key": key });
    key = newKey();
    return answer;
  };
  send.renew = () => {
    key = newKey();
  };
  return send;
}

// crypto.randomUUID exists only in secure contexts (HTTPS, localhost); getRandomValues everywhere.
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
