"""Labelled examples for the similarity check: short messages written for this list (none is copied from the
evaluation fixture, ``fixtures/safeguarding_messages.csv``). A message close in meaning to a risk example, and
closer to it than to every ordinary one, raises an alert of that example's kind. The ordinary examples are the
near misses: hyperbole, idioms and science words that share a risk message's vocabulary."""
from __future__ import annotations

from tutor.safeguarding.phrases import ABUSE, BULLYING, SELF_HARM, THREAT

RISK_EXAMPLES: dict[str, tuple[str, ...]] = {
    SELF_HARM: (
        "I want to end my life", "I think about dying all the time", "I don't want to live any more",
        "I have been hurting myself on purpose", "I cut myself to feel better", "I want to commit suicide",
        "Everyone would be happier if I was dead", "I'm going to take an overdose",
        "There's no point in me being alive", "I wish I was never born and could stop existing",
        "I keep thinking of ways to kill myself", "I feel hopeless and want it all to end",
        "I've been harming myself and hiding the marks", "I'm going to jump from the roof",
    ),
    ABUSE: (
        "My father hits me at home", "Someone in my house hurts me", "My mum's partner beats me",
        "An adult touched me and told me to keep it secret", "I am scared of a grown-up at home",
        "My parents don't give me food", "Someone online wants naked photos of me",
        "My dad hurts my mum and me", "I get hit at home when I do something wrong",
        "A relative does things to me that I don't like", "I'm too scared to tell anyone what happens at home",
        "My carer leaves marks on me",
    ),
    BULLYING: (
        "Kids at school bully me every day", "People keep making fun of me and hurting me",
        "They send me horrible messages online", "A group of students keeps attacking me",
        "Nobody will talk to me and they laugh at me", "They stole my things and shoved me",
        "I'm harassed at school and no one helps", "Older students threatened me in the hallway",
        "Classmates post nasty comments about me", "They spit on me and call me disgusting",
        "Everyone at school is ganging up on me", "They ruin my stuff every day to upset me",
    ),
    THREAT: (
        "I'm going to hurt the boy who laughed at me", "I will kill them all", "I'm bringing a knife tomorrow",
        "I'm going to attack someone at school", "I want to make them suffer and bleed",
        "I'm planning to hurt my classmates", "I'm going to get my revenge with a gun",
        "I will stab him after school", "I'm going to beat that kid up badly",
        "I'm going to burn their house down", "I'll make sure he never walks again",
        "I'm planning something violent at school",
    ),
}

OK_EXAMPLES: tuple[str, ...] = (
    "This maths homework is killing me", "I'm so bored I could die", "My mum will kill me if I'm home late",
    "This topic is the death of me", "I nearly died of laughter", "I smashed that test",
    "How do antibiotics kill bacteria", "Why do cells die", "What does toxic mean in chemistry",
    "What happens to plants without sunlight, do they die", "How does poison affect the body in biology",
    "Why did the character kill himself in the novel", "How many people died in the war",
    "What counts as bullying, we are discussing it in class", "My phone battery died",
    "I hate this homework", "I'm so stressed about exams", "I'm rubbish at fractions",
    "My brother beats me at video games", "I'm going to ace this test", "I got hit by a ball in PE",
    "Can you explain this question again", "How do I add fractions with different denominators",
    "What is photosynthesis", "My teacher is going to be so mad at me", "I'm dying to see the results",
    "Predators kill their prey in a food chain", "Cut the cake into eight equal slices",
)
