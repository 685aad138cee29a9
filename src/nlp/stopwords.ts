/**
 * Function words of German and English (normalised: lower case, umlauts folded), for the tasks
 * that look for content words: keyphrases and topic clustering.
 */
export const stopwords = new Set(
  (
    "der die das den dem des ein eine einen einem einer eines und oder aber doch sondern denn weil dass " +
    "ist sind war waren wird werden wurde wurden sein bin bist seid hat habe hast haben hatte hatten " +
    "kann koennen muss muessen soll sollen will wollen mag moechte darf duerfen " +
    "ich du er sie es wir ihr mir mich dir dich ihm ihn uns euch ihnen sich mein meine dein deine sein seine unser euer " +
    "nicht kein keine keinen nie nichts auch noch schon nur mal jetzt immer wieder sehr so wie als wenn ob " +
    "in im an am auf aus bei mit nach von vom zu zum zur fuer ueber unter vor hinter neben durch gegen ohne um bis seit ab " +
    "beim ins ans aufs vom zum zur am im da dort hier was wer wo wann warum wieso weshalb welche welcher welches dies diese dieser dieses jener " +
    "ja nein doch halt eben eigentlich gerade etwa ganz heute gestern morgen dann denn also eh man " +
    "the a an and or but if then so because as of to in on at by for with from about into over after before " +
    "is are was were be been being am have has had do does did will would can could should may might must shall " +
    "i me my mine you your yours he him his she her it its we us our they them their this that these those " +
    "not no nor never just still again now very too also only even really what which who whom whose when where why how " +
    "there here all any some each every more most much many such own same than up down out off " +
    "im i'm it's don't can't didn't won't isn't aren't wasn't i've i'll you're we're they're that's there's " +
    "rt via amp u ur pls please thanks thank danke bitte"
  ).split(" "),
);
