//! Lessons, scenarios, exams and grading (DESIGN §8). Not built yet: the headless runner
//! (`kubedojo run empty`) is what exists so far; lesson files come with the course work.
