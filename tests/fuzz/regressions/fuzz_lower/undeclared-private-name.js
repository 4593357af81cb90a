class P { #c = 0; m() { return this.#s } }
