"""The words that fill each language's shapes of a durable statement (statement_words.py
holds the shapes, with `<NAME>` where these go): its polite prefix, the verbs of complaints
and of what happens to the speaker, what may not follow always / never, the leading
conjunctions and corrections dropped, and the small words and letters that tell the language.
French, German, Spanish, Portuguese, Italian. No I/O."""

FRENCH = {
    "PLEASE": r"(?:(?:s'il (?:te|vous) pla[iî]t|stp|svp),?\s+)?",
    "COMPLAINT": r"(?:plante|marche|échoue|casse|bugue|crashe|rame|foire|arrive|passe|"
    r"sort|tombe|prend|donne|ce|cette|elle|les|des|une|ses|mes|tes|nos|vos|leurs)",
    "NOT_AFTER": r"(?:pareil|la même|le même|les mêmes|aussi|autant|plus|moins|là|comme|"
    r"quand|pas|rien|personne|vu|eu|été|fait|en retard|trop)",
    "MOMENT": r"(?:t'inquiète|stresse|panique|attends|arrête|oublie|hésite|bouge)",
    "THIS_TASK": r"(?:ça|cela|ceci|rien|encore|maintenant)",
    "NOT_ONLY_THIS": r"(?!.*\b(?:ça|cela|ceci|le reste|rien d'autre|encore|"
    r"tout de suite|maintenant)\b[.!]?$)",
    "HABIT": r"(?:comprends|comprenons|trouve|trouvons|"
    r"oublie|oublions|finis|finissons|galère|galérons|perds|perdons|rate|"
    r"ratons|dois|devons|ai|avons|a|suis|sommes|est|était|étais|confonds|confondons|"
    r"trompe|trompons|tombe|tombons|casse|cassons|arrive|arrivons|déteste|détestons|"
    r"retrouve|retrouvons|bute|peux|pouvons|sais|savons|vois|voyons|pense|crois)",
    "LEAD": r"et|alors|bon|bref|donc|ok|okay|ah|oh|aussi",
    "NO": r"non|nan",
    "ACTUALLY": r"en fait|en réalité|pas du tout|correction",
    "MARKERS": "le la les des du de un une et est pas ne on je nous vous ce cette "
    "ces pour avec dans sur toujours jamais que qui au aux ça n j l d qu c",
    "LETTERS": "œ î û ë ï",
}

GERMAN = {
    "PLEASE": r"(?:bitte,?\s+)?",
    "NOT_FIRST": r"(?:das|es|der|die|dem|den|des|er|sie|wir|ich|man|du|ihr|dies|diese|"
    r"dieser|hier|da|dann|so|ja|nein|auch|aber|und|nicht|doch|schon|noch|wie|was|wer|"
    r"wo|warum|wann|ist|sind|war|habe|haben|wird|werden|kann|immer|nie|niemals|stets|"
    r"bleibe|bleiben|irgendwie|leider|ein|eine|einer|mein|meine|dein|deine|unser|unsere)",
    "NOT_AFTER": r"(?:noch|wieder|gleich|dasselbe|das gleiche|so|mehr|weniger|da|dann|"
    r"wenn|schon|nur|zu|spät|früh)",
    "HABIT": r"(?:verstehe|verstehen|kapiere|"
    r"vergesse|vergessen|vergisst|frage|fragen|verwechsle|verwechseln|habe|"
    r"haben|hatte|hatten|bin|sind|war|waren|muss|müssen|brauche|brauchen|finde|finden|"
    r"hasse|hassen|bekomme|bekommen|kriege|kriegen|stolpere|stolpern|lande|landen|"
    r"verliere|verlieren|mache|machen|verzweifle|scheitere|scheitern|kann|können|"
    r"dachte|dachten|sehe|sehen|warte|warten|komme|kommen)",
    "THIS_ONE": r"(?:das|dies|diese[nrs]?|die erste|die zweite|den ersten|den zweiten|"
    r"deine[nrs]?|ihre|die andere|letztere|erstere)",
    "LEAD": r"und|also|aber|ok|okay|ach|oh|na ja|naja",
    "NO": r"nein|ne|nö",
    "ACTUALLY": r"eigentlich|korrektur|falsch",
    "MARKERS": "der die das und ist nicht ich wir du sie ein eine mit für "
    "auf den dem immer nie keine kein zu im ins bitte wie beim vom zum",
    "LETTERS": "ä ö ü ß",
}

SPANISH = {
    "PLEASE": r"(?:por favor,?\s+)?",
    "NOT_IMPERATIVE": r"(?:falla|rompe|pasa|sale|tarda|peta|crashea|da|es|está|esta|ella|"
    r"este|ese|esa|nunca|casi|que|se|le|me|te|nos|lo|la|una|uno|cuando|donde|como|pero|"
    r"porque|hoy|ahora|toda|todo|nada|funciona|queda|cuesta|ocurre|sucede|aparece|"
    r"vuelve|compila|carga|responde|tira|cae|explota|se queda)",
    "NOT_AFTER": r"(?:lo mismo|igual|que|así|más|menos|tarde|con|en|de|el mismo|la misma)",
    "NOT_VERB": r"(?:es|eres|has|estás|estas|más|menos|vas|tienes|puedes|debes|sabes|crees|"
    r"ves|quieres|necesitas|pares|esperes|olvides|dudes|vuelvas|preocupes|hay|nos|les|"
    r"las|los|tampoco|jamás|nunca)",
    "HABIT": r"(?:\w+(?:ado|ido|isto|echo|ierto)|entiendo|entendemos|comprendo|"
    r"olvido|olvidamos|acabamos|acabo|terminamos|termino|tengo|tenemos|"
    r"necesito|necesitamos|rompemos|perdemos|pierdo|confundo|confundimos|fallo|fallamos|"
    r"odio|odiamos|encuentro|estamos|estoy|somos|soy|hemos|he|vamos|voy|llego|llegamos|"
    r"quedo|quedamos|me|nos|hacemos|hago|caemos|caigo|tardamos|tardo|puedo|podemos|sé|"
    r"sabemos|veo|vemos|pienso|creo|dudo|no|equipo|trabajo|caso|código|proyecto|"
    r"problema|repo|tiempo|mismo|modo|todo|algo|nada|cambio|año|medio|ejemplo|lo|lo)",
    "THIS_ONE": r"(?:esta|este|esa|ese|eso|esto|la primera|el primero|la segunda|"
    r"el segundo|la otra|el otro|la tuya|tu)",
    "LEAD": r"y|bueno|pues|entonces|ok|okay|vale|ah|oh|además",
    "NO": r"no",
    "ACTUALLY": r"en realidad|corrección|de hecho",
    "MARKERS": "el la los las de del y en con para por "
    "que un una siempre nunca no es al lo este esta ese esa eso esto muy también pero",
    "LETTERS": "ñ ¿ ¡",
}

PORTUGUESE = {
    "PLEASE": r"(?:por favor,?\s+)?",
    "NOT_IMPERATIVE": r"(?:falha|quebra|dá|da|trava|demora|acontece|é|está|fica|sai|ela|"
    r"ele|essa|esse|esta|este|isso|isto|ainda|quase|que|se|me|te|nos|uma|a|o|de|e|nunca|"
    r"funciona|roda|compila|passa|dessa|desse|sobre|como|onde|quando|toda|tudo|nada|"
    r"aparece|volta|cai|explode|responde|carrega|gente)",
    "NOT_AFTER": r"(?:a mesma|o mesmo|igual|que|assim|mais|menos|tarde|com|em|de|foi|dá|da)",
    "NOT_VERB": r"(?:funciona|roda|compila|passa|quebra|serve|presta|adianta|importa|"
    r"precisa|basta|sei|é|está|tem|há|vai|da|dá|pare|espere|esqueça|esqueças|desista|"
    r"hesite|se|me|te|o|a|os|as|isso|isto|mais|consigo|entendi|acho|deu|daria|ficou|fica|"
    r"rola|parece|existe|sobra|falta|muda|mudou|bate|chega|cabe|preocupe|nunca|jamais)",
    "HABIT": r"(?:\w+(?:ado|ido|isto|eito)|entendo|entendemos|compreendo|"
    r"esqueço|esquecemos|acabamos|acabo|temos|tenho|precisamos|preciso|"
    r"erramos|erro|perdemos|perco|confundo|confundimos|quebramos|odeio|odiamos|estamos|"
    r"estou|somos|sou|fico|ficamos|vamos|vou|chegamos|chego|podemos|posso|sabemos|sei|"
    r"vemos|vejo|penso|acho|demoramos|demoro|caímos|caio|me|nos|fazemos|faço|tivemos|"
    r"fomos|não|time|trabalho|caso|código|projeto|problema|repo|tempo|mesmo|modo|todo|"
    r"algo|nada|ano|meio|exemplo|o|isso)",
    "HABIT3": r"(?:esquece|acaba|tem|precisa|erra|perde|confunde|quebra|fica|está|é|vai|"
    r"sempre|nunca|não|se|chega|pode|sabe|demora|cai|faz)",
    "THIS_ONE": r"(?:essa|esse|esta|este|isso|isto|a primeira|o primeiro|a segunda|"
    r"o segundo|a outra|o outro|a sua|o seu)",
    "LEAD": r"e|bom|então|ok|okay|ah|oh|também|aliás",
    "NO": r"não|nao",
    "ACTUALLY": r"na verdade|correção|na real",
    "MARKERS": "o a os as de do da dos das e em no na nos nas com "
    "para por que um uma sempre nunca não é isso isto pra neste nesta como você gente "
    "esse essa esses essas também muito então ao aos pelo pela",
    "LETTERS": "ã õ",
}

ITALIAN = {
    "PLEASE": r"(?:per (?:favore|piacere),?\s+)?",
    "NOT_IMPERATIVE": r"(?:crasha|sbaglia|capita|succede|va|sta|è|e|funziona|si|mi|ti|ci|"
    r"vi|lui|lei|questa|quella|la|una|ora|ancora|quasi|mai|qui|li|poi|dopo|tutti|entra|"
    r"esce|passa|resta|rimane|ritorna|torna|compila|gira|parte|salta|manca|serve|basta|"
    r"cambia|fallisce|noi|voi|loro|ma|anche)",
    "NOT_AFTER": r"(?:lo stesso|la stessa|uguale|così|più|meno|tardi|con|in|di)",
    "MOMENT": r"(?:preoccupar|fermar|aspettar|dimenticar|esitar|arrender|scordar|mollare|"
    r"smettere)",
    "HABIT": r"(?:\w+(?:ato|ito|uto|sto|tto)|"
    r"dimentichiamo|dimentico|finiamo|finisco|abbiamo|ho|siamo|sono|dobbiamo|"
    r"devo|sbagliamo|sbaglio|perdiamo|perdo|confondo|confondiamo|odio|odiamo|rompiamo|"
    r"rompo|facciamo|faccio|arriviamo|arrivo|possiamo|posso|sappiamo|so|vediamo|vedo|"
    r"penso|credo|ci|mi|andiamo|vado|restiamo|resto|capisco|capiamo|riesco|riusciamo|"
    r"troviamo|trovo|non|gruppo|lavoro|caso|codice|progetto|problema|repo|tempo|modo|"
    r"tutto|nulla|niente|anno|mezzo|esempio|lo)",
    "THIS_ONE": r"(?:questa|questo|quella|quello|la prima|il primo|la seconda|il secondo|"
    r"l'altra|l'altro|la tua|il tuo)",
    "LEAD": r"e|allora|quindi|ok|okay|ah|oh|beh|anche",
    "NO": r"no",
    "ACTUALLY": r"in realtà|anzi|correzione",
    "MARKERS": "il lo la i gli le di del della e è in con per "
    "che un una sempre mai non al alla questo questa come ogni nel nella",
    "LETTERS": "ò ì",
}
