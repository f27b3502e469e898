/** How sure a detector is that a match means what the rule says. */
export type Confidence = 'tentative' | 'firm' | 'certain';
